// The live map: the journeys being watched, each device where it last reported, moved as
// positions stream in (server-sent events), and every new alert popped up and listed beside.
(function () {
  "use strict";
  const el = document.querySelector(".map[data-stream-url]");
  if (!el) return;
  const labels = JSON.parse(el.dataset.labels || "{}");
  const SEVERITY_COLOURS = { extreme: "#7f0000", severe: "#b3261e", moderate: "#e07b00", minor: "#5f7d95" };
  const markers = {};
  let positions = null;
  let updates = 0;

  function whenReady(then) {
    if (el.jsmsMap && el.dataset.ready === "true") then(el.jsmsMap);
    else setTimeout(() => whenReady(then), 100);
  }

  function place(map, p) {
    if (p.lat === null || p.lat === undefined) return;
    const text = p.label + (p.speed_kmh !== null && p.speed_kmh !== undefined
      ? " · " + Math.round(p.speed_kmh) + " " + labels.speed : "");
    let marker = markers[p.device];
    if (!marker) {
      marker = L.circleMarker([p.lat, p.lon], { radius: 7, weight: 2, color: "#fff", fillColor: "#1f5fbf",
                                                fillOpacity: 1, className: "device-marker" });
      marker.bindTooltip(text);
      marker.addTo(positions);
      markers[p.device] = marker;
    } else {
      marker.setLatLng([p.lat, p.lon]);
      marker.setTooltipContent(text);
    }
  }

  function toast(alert) {
    const box = document.createElement("div");
    box.className = "toast severity-" + alert.severity;
    box.setAttribute("role", "alert");
    const title = document.createElement("a");
    title.href = "/alerts/" + alert.id;
    title.textContent = alert.label;
    const text = document.createElement("div");
    text.textContent = alert.message;
    box.append(title, text);
    document.getElementById("toasts").prepend(box);
    setTimeout(() => box.remove(), 20000);
  }

  function flag(map, alert) {
    if (alert.lat === null || alert.lat === undefined) return;
    L.circleMarker([alert.lat, alert.lon], { radius: 12, weight: 3, color: SEVERITY_COLOURS[alert.severity] || "#b3261e",
                                             fill: false, className: "alert-marker" })
      .bindTooltip(alert.label + ": " + alert.message).addTo(map);
  }

  whenReady((map) => {
    positions = L.featureGroup().addTo(map);
    fetch(el.dataset.liveUrl, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      const routes = L.geoJSON(data, { style: { color: "#333", weight: 3, opacity: 0.6, dashArray: "6 4",
                                                className: "live-route" },
        onEachFeature: (f, layer) => layer.bindTooltip(f.properties.label, { sticky: true }) }).addTo(map);
      data.positions.forEach((p) => place(map, p));
      el.dataset.journeyCount = String(data.features.length);
      if (data.features.length) map.fitBounds(routes.getBounds(), { padding: [30, 30], animate: false });
      const stream = new EventSource(el.dataset.streamUrl);
      stream.addEventListener("hello", () => { el.dataset.live = "connected"; });
      stream.addEventListener("positions", (event) => {
        JSON.parse(event.data).forEach((p) => place(map, p));
        updates += 1;
        el.dataset.positionUpdates = String(updates);
      });
      stream.addEventListener("alert", (event) => {
        const alert = JSON.parse(event.data);
        if (alert.change === "raised") { toast(alert); flag(map, alert); }
        el.dataset.lastAlert = alert.id;
        document.body.dispatchEvent(new CustomEvent("jsms:alert", { detail: alert }));
      });
      stream.addEventListener("resync", () => document.body.dispatchEvent(new CustomEvent("jsms:alert")));
      stream.onerror = () => { el.dataset.live = "reconnecting"; };
    });
  });
})();
