import { fileURLToPath } from 'node:url'
import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

/** The app, built into dist/app as one classic script (app.js) and app.css: no ES module, so an exported bundle opens from file://. */
const here = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root: here,
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/app', import.meta.url)),
    // Fixed file names: overwrite them in place rather than empty the folder a server may be reading.
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('src/main.tsx', import.meta.url)),
      formats: ['iife'],
      name: 'CooperbenchViewer',
      fileName: () => 'app.js',
      cssFileName: 'app',
    },
  },
})
