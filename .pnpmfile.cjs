// pnpm's hooks for this workspace (https://pnpm.io/pnpmfile).
module.exports = {
  hooks: {
    /**
     * The CLI's package.json as published, without its dev plugins: oclif loads `oclif.devPlugins`
     * (named in `devDependencies`) whenever NODE_ENV is `development` or `test`, so an installed
     * CLI would look for @cooperbench/dev-tools, which is never published, and warn on every
     * command. In the checkout they stay: `pnpm cooperbench` (packages/cli/bin/dev.js) loads them.
     */
    beforePacking(pkg) {
      if (pkg.name !== 'cooperbench') return pkg
      const { devDependencies: _dev, ...published } = pkg
      const { devPlugins: _plugins, ...oclif } = pkg.oclif
      return { ...published, oclif }
    },
  },
}
