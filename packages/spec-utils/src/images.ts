/** `@cooperbench/spec-utils/images`: the one owner of task image names; config, run plan, backends and `images build` all use these. */
/** How task images are named by default (the reference's); placeholders as {@link imageName} fills them. */
export const DEFAULT_IMAGE_TEMPLATE = '{namespace}/cooperbench-{slug}:task{taskId}'
/** The registry namespace of the reference's task images (a Docker Hub account). */
export const DEFAULT_IMAGE_NAMESPACE = 'akhatua'

/** Image name from the template ({@link DEFAULT_IMAGE_TEMPLATE} by default). */
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
