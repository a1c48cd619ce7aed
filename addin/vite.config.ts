import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// Multi-page build served by the API at /: taskpane.html (Outlook task pane and preview mode) and
// auth-dialog.html (the Entra sign-in page the Office dialog opens; MSAL's redirect URI).
// admin.html: the admin page (its own entry; the pane never loads it).
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: {
        taskpane: page('taskpane.html'),
        'auth-dialog': page('auth-dialog.html'),
        admin: page('admin.html'),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
