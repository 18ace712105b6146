/** The small sign-in form: paste a CENTER_ADMIN token (e.g. from `npm run token -- --role CENTER_ADMIN` in development). */
export function loginPage(message?: string): string {
  const notice = message ? `<p class="notice">${escapeHtml(message)}</p>` : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>开州文明实践 · 队列运维 / Queue operations</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
  textarea { width: 100%; height: 8rem; font-family: monospace; }
  .notice { color: #a40000; }
</style>
</head>
<body>
<h1>队列运维 · Queue operations</h1>
<p>仅限中心管理员。请粘贴中心管理员的访问令牌。<br>Center administrators only: paste a CENTER_ADMIN access token.</p>
${notice}
<form method="post" action="login">
  <textarea name="token" required autocomplete="off" spellcheck="false"></textarea>
  <p><button type="submit">登录 · Sign in</button></p>
</form>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
