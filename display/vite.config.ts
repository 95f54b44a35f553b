import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `vite dev` in display/ talks to a server started with `npm start` (default port 3000).
    proxy: { '/api': process.env.PINGAN_API ?? 'http://127.0.0.1:3000' },
    // $shared lives one folder up.
    fs: { allow: ['..'] },
  },
});
