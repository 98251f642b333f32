// hls.js ships no declaration file for its "light" build (no subtitles, alternate audio, DRM or
// CMCD: none of which recordings use); its API is that of the full build.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
