// Firebreak local console: keeps the server-rendered panels current (Server-Sent Events)
// and turns clicks, selects, the composer and modals into calls to /console/api/….
(function () {
  "use strict";
  const body = document.body;
  const state = { user: body.dataset.user, channel: body.dataset.channel };
  const $ = (id) => document.getElementById(id);
  let toastTimer = null;

  function toast(result) {
    const el = $("toast");
    el.textContent = result.note || "";
    el.className = result.ok ? "ok shown" : "error shown";
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.className = el.className.replace(" shown", "")), 6000);
  }

  async function api(action, payload) {
    try {
      const res = await fetch("/console/api/" + action, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Object.assign({ as: state.user }, payload)),
      });
      const result = await res.json();
      toast(result);
      return result;
    } catch (err) {
      toast({ ok: false, note: String(err) });
      return { ok: false };
    } finally {
      refresh();
    }
  }

  let refreshing = false;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const q = new URLSearchParams({ channel: state.channel, as: state.user });
      const panels = await (await fetch("/console/panels?" + q)).json();
      const messages = $("messages");
      const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
      $("sidebar").innerHTML = panels.sidebar;
      $("channel-header").innerHTML = panels.header;
      messages.innerHTML = panels.messages;
      if (panels.pages !== undefined) $("pages").innerHTML = panels.pages;
      if (atBottom) messages.scrollTop = messages.scrollHeight;
      const modal = $("modal");
      if (modal.dataset.key !== panels.modalKey) {
        // The same modal again (errors shown, or updated): keep what the user typed.
        const old = modal.querySelector("form.modal");
        const kept = {};
        if (old)
          for (const el of old.querySelectorAll("input[name], textarea[name]")) kept[el.name] = el.value;
        modal.dataset.key = panels.modalKey;
        modal.innerHTML = panels.modal;
        const form = modal.querySelector("form.modal");
        if (form && old && form.dataset.viewId === old.dataset.viewId)
          for (const el of form.querySelectorAll("input[name], textarea[name]"))
            if (el.name in kept) el.value = kept[el.name];
        const first = modal.querySelector("input, textarea, select");
        if (first) first.focus();
      }
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  function go(channel, user) {
    state.channel = channel || state.channel;
    state.user = user || state.user;
    body.dataset.user = state.user;
    body.dataset.channel = state.channel;
    const q = new URLSearchParams({ channel: state.channel, as: state.user });
    window.history.replaceState(null, "", "/?" + q);
    $("modal").dataset.key = "-";
    refresh();
  }

  document.addEventListener("click", (e) => {
    const link = e.target.closest("a.channel, a.mention[href^='/?']");
    if (link) {
      e.preventDefault();
      go(new URL(link.href).searchParams.get("channel"));
      return;
    }
    const button = e.target.closest("button[data-kind='button']");
    if (button && !button.disabled) {
      if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
      api("click", {
        channel: button.dataset.channel,
        ts: button.dataset.ts,
        actionId: button.dataset.actionId,
        blockId: button.dataset.blockId,
        value: button.dataset.value,
      });
      return;
    }
    if (e.target.closest("[data-modal='close']")) {
      const form = e.target.closest("form.modal");
      api("view-close", { viewId: form.dataset.viewId });
    }
  });

  document.addEventListener("change", (e) => {
    const select = e.target.closest("select[data-kind='select']");
    if (select && select.value) {
      if (select.dataset.confirm && !confirm(select.dataset.confirm)) return;
      api("select", {
        channel: select.dataset.channel,
        ts: select.dataset.ts,
        actionId: select.dataset.actionId,
        blockId: select.dataset.blockId,
        value: select.value,
      });
    }
    if (e.target.id === "user-switch") go(null, e.target.value);
  });

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.id === "composer") {
      e.preventDefault();
      const input = $("composer-input");
      const text = input.value;
      input.value = "";
      api("send", { channel: state.channel, text });
    } else if (form.id === "alert-form") {
      e.preventDefault();
      api("alert", { alertname: form.alertname.value, severity: form.severity.value, status: "firing" });
    } else if (form.classList.contains("modal")) {
      e.preventDefault();
      const values = {};
      for (const el of form.querySelectorAll("[name]")) {
        const [blockId, actionId] = el.name.split("/");
        const value =
          el.dataset.multi === "true"
            ? Array.from(el.selectedOptions).map((o) => o.value)
            : el.value === ""
              ? null
              : el.value;
        (values[blockId] = values[blockId] || {})[actionId] = value;
      }
      api("view-submit", { viewId: form.dataset.viewId, values });
    }
  });

  $("resolve-alert").addEventListener("click", () => {
    const form = $("alert-form");
    api("alert", { alertname: form.alertname.value, severity: form.severity.value, status: "resolved" });
  });

  const events = new EventSource("/console/events");
  events.addEventListener("change", () => refresh());
  events.addEventListener("open", () => refresh());
  // Emails, SMS and pushes change no Slack channel: the pages panel looks again every few seconds.
  setInterval(() => refresh(), 3000);
  const messages = $("messages");
  messages.scrollTop = messages.scrollHeight;
  $("composer-input").focus();
})();
