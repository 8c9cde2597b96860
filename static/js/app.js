// Small progressive enhancements. Every page works without this file.
"use strict";

document.documentElement.classList.add("js");

function csrfHeaders() {
  return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
}

// Pick a language as soon as it is chosen (the button is there without JS).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

// First visit after sign-up: store the browser's time zone so "today" is the user's today.
document.addEventListener("DOMContentLoaded", () => {
  const url = document.body.dataset.timezoneUrl;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!url || !zone) return;
  const body = new URLSearchParams({ time_zone: zone });
  fetch(url, { method: "POST", headers: csrfHeaders(), body, credentials: "same-origin" });
});

// "Copy" buttons next to read-only fields (hidden without JS, where selecting the text works).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const field = document.querySelector(button.dataset.copy);
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copied || "✓";
    });
  }
});
