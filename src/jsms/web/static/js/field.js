// The field page: share the phone's position while open (every 30 s, every 5 s during an SOS),
// check in, send an SOS and follow it until the operations room has acknowledged it.
(function () {
  "use strict";
  const labels = JSON.parse(document.body.dataset.labels);
  const csrf = document.body.dataset.csrf;
  let position = null;
  let sosOpen = false;
  let lastSent = 0;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, key) => (values[key] === undefined ? "" : values[key]));
  }
  const language = document.documentElement.lang;
  function clock(iso) { return iso ? new Date(iso).toLocaleTimeString(language) : ""; }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body || {}) });
  }
  function here() {
    return position ? { lat: position.latitude, lon: position.longitude, accuracy: position.accuracy,
                        speed_kmh: position.speed !== null ? position.speed * 3.6 : null } : {};
  }

  function share(force) {
    const every = sosOpen ? 5000 : 30000;
    if (!position || (!force && Date.now() - lastSent < every)) return;
    lastSent = Date.now();
    post("/field/ping", here()).catch(() => {});
  }
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition((p) => { position = p.coords; share(false); }, () => {},
                                        { enableHighAccuracy: true, maximumAge: 5000 });
    document.getElementById("tracking-status").textContent = labels.tracking;
  }
  setInterval(() => share(false), 5000);

  function showSos(sos) {
    const box = document.getElementById("sos-status");
    sosOpen = sos.state === "open" || sos.state === "acknowledged";
    box.dataset.state = sos.state;
    if (sos.state === "none") box.textContent = "";
    else if (sos.state === "open") {
      box.textContent = fill(labels.open, { time: clock(sos.raised_at) }) + (sos.tier > 1 ? " " + labels.escalated : "");
    } else if (sos.state === "acknowledged") {
      box.textContent = fill(labels.acknowledged, { who: sos.acknowledged_by, time: clock(sos.acknowledged_at) });
    } else box.textContent = labels.resolved;
  }
  function follow() {
    fetch("/field/status", { credentials: "same-origin" }).then((r) => r.json())
      .then((status) => showSos(status.sos)).catch(() => {});
  }
  setInterval(follow, 5000);
  follow();

  function sendSos() {
    const box = document.getElementById("sos-status");
    box.textContent = labels.sending;
    post("/field/sos", here()).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      sosOpen = true;
      follow();
    }).catch(() => { box.textContent = labels.failed; setTimeout(sendSos, 5000); });
  }
  document.getElementById("sos").addEventListener("click", () => { if (window.confirm(labels.confirm)) sendSos(); });
  document.getElementById("checkin").addEventListener("click", () => {
    post("/field/checkin", here()).then((r) => r.json()).then((body) => {
      document.getElementById("checkin-status").textContent = fill(labels.checked_in, { time: clock(body.checked_in_at) });
    });
  });
})();
