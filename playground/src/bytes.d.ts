// `import b64 from 'file?bytes'`: the file's bytes as base64 (vite.config.ts's ebpfvm-bytes plugin).
declare module '*?bytes' {
  const base64: string;
  export default base64;
}
