// Casefile's page behaviour that htmx attributes cannot express. No framework, no build step.
document.addEventListener("htmx:configRequest", (event) => {
  // Every htmx write carries the session's CSRF token (api/deps.py and web/deps.py check it).
  const token = document.body.dataset.csrfToken;
  if (token) event.detail.headers["X-CSRF-Token"] = token;
});
