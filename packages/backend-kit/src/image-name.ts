/** Image name from the template: `{namespace}/cooperbench-{slug}:task{taskId}` by default. */
export function imageName(template: string, namespace: string, repo: string, taskId: number): string {
  const slug = repo.replace(/_task$/, '').replaceAll('_', '-')
  return template.replaceAll('{namespace}', namespace).replaceAll('{slug}', slug).replaceAll('{repo}', repo).replaceAll('{taskId}', String(taskId))
}

/** `repo:tag` → `repo:tag<suffix>` (`:latest<suffix>` when the image names no tag): an image layered on a task image. */
export function layeredImageName(image: string, tagSuffix: string): string {
  const lastSlash = image.lastIndexOf('/')
  const colon = image.indexOf(':', lastSlash + 1)
  return colon < 0 ? `${image}:latest${tagSuffix}` : `${image}${tagSuffix}`
}
