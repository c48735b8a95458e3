export { HostFolderSandbox } from './host-folder-sandbox.js'
export { HostFoldersBackend } from './host-folders-backend.js'
export { default, default as hostFoldersPlugin } from './register.js'
