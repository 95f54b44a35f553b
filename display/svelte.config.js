import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The display is a static single-page app: the Hono server serves `build/` at / and falls back to
 * index.html for every client route. `$shared` reaches the project's pure TypeScript (types, engine).
 */
/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  // Runes everywhere in our code; libraries in node_modules keep the mode they were written in.
  compilerOptions: {
    runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true),
  },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    alias: { $shared: '../shared' },
  },
};

export default config;
