// The JSMS map: an offline base layer (provinces, main roads, cities) drawn from data the
// node ships, a tile layer when the deployment has a tile server, and the overlays a page
// asks for (sites, units' areas). Labels arrive translated from the page.
(function () {
  "use strict";
  const TIER_COLOURS = { 1: "#b3261e", 2: "#e07b00", 3: "#2f6fb0" };
  const ROAD_STYLES = {
    motorway: { color: "#8e3b2f", weight: 2.6 },
    national: { color: "#c77d1a", weight: 1.8 },
    provincial: { color: "#9a8f7a", weight: 1.2, dashArray: "4 3" },
    local: { color: "#b5ad9c", weight: 1 },
    under_construction: { color: "#8e3b2f", weight: 1.2, dashArray: "2 5", opacity: 0.6 },
  };
  const ROUTE_COLOURS = { fastest: "#1f5fbf", safest: "#1b8a3a", balanced: "#7b3fa0", alternative: "#d0761c" };

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null));
  }

  function drawBase(map, base, labels, overlays) {
    const provinces = L.geoJSON(base.provinces, {
      style: { color: "#6b7a5a", weight: 1, fillColor: "#f3f1e4", fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    const roads = L.geoJSON(base.roads, {
      style: (f) => ROAD_STYLES[f.properties.class] || ROAD_STYLES.provincial,
      onEachFeature: (f, layer) => layer.bindTooltip(f.properties.ref, { sticky: true }),
    }).addTo(map);
    const cities = L.geoJSON(base.cities, {
      pointToLayer: (f, latlng) =>
        L.circleMarker(latlng, { radius: f.properties.population > 1000000 ? 3.5 : 1.8, color: "#444",
                                 weight: 1, fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(f.properties.name, {
            permanent: f.properties.population > 1000000, direction: "right", className: "city-label",
          }),
    }).addTo(map);
    overlays[labels.provinces] = provinces;
    overlays[labels.roads] = roads;
    overlays[labels.cities] = cities;
    return provinces;
  }

  function siteLayer(collection, labels) {
    return L.geoJSON(collection, {
      pointToLayer: (f, latlng) =>
        L.circleMarker(latlng, { radius: 7, weight: 2, color: "#fff",
                                 fillColor: TIER_COLOURS[f.properties.tier] || "#555", fillOpacity: 0.95 }),
      style: (f) => ({ color: TIER_COLOURS[f.properties.tier] || "#555", weight: 2 }),
      onEachFeature: (f, layer) => {
        const box = document.createElement("div");
        const title = document.createElement("strong");
        title.textContent = f.properties.name;
        const kind = document.createElement("div");
        kind.textContent = f.properties.kind_label;
        const link = document.createElement("a");
        link.href = f.properties.url;
        link.textContent = labels.open;
        box.append(title, kind, link);
        layer.bindPopup(box);
        layer.options.className = "site-marker";
      },
    });
  }

  const LEVEL_COLOURS = { 1: "#7fbf7b", 2: "#d9ef8b", 3: "#fee08b", 4: "#fc8d59", 5: "#d73027" };
  const KIND_COLOURS = { suicide_bombing: "#6a1b1a", ied: "#b3261e", armed_attack: "#d2691e", kidnapping: "#7b1fa2",
                         rocket_grenade: "#e07b00", foiled_plot: "#5f7d95", threat: "#9e9e9e", other: "#616161" };

  function incidentLayer(collection, labels) {
    return L.geoJSON(collection, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 3 + Math.min(7, Math.sqrt(f.properties.killed || 0) * 1.5), weight: f.properties.protected ? 2 : 1,
        color: f.properties.protected ? "#000" : "#fff", fillColor: KIND_COLOURS[f.properties.kind] || "#555",
        fillOpacity: 0.85 }),
      onEachFeature: (f, layer) => {
        const box = document.createElement("div");
        const title = document.createElement("strong");
        title.textContent = f.properties.title;
        const info = document.createElement("div");
        info.textContent = f.properties.date + " · " + f.properties.kind_label;
        const link = document.createElement("a");
        link.href = f.properties.url;
        link.textContent = labels.open;
        box.append(title, info, link);
        layer.bindPopup(box);
      },
    });
  }

  // Route options (or a journey's frozen route) drawn from GeoJSON the page embeds; the first
  // drawn last so that it lies on top where the options share a road.
  function routeLayer(collection, labels) {
    const group = L.featureGroup();
    collection.features.slice().reverse().forEach((f) => {
      const profile = f.properties.profile;
      const line = L.geoJSON(f, { style: { color: ROUTE_COLOURS[profile] || "#333", weight: 5, opacity: 0.85,
                                           className: "route-line route-" + profile } });
      line.bindTooltip(labels[profile] || profile, { sticky: true });
      group.addLayer(line);
      (f.properties.checkpoints || []).forEach((point) => {
        group.addLayer(L.circleMarker([point.lat, point.lon], { radius: 4, weight: 1, color: "#222",
                                                               fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(point.name));
      });
    });
    return group;
  }

  function levelLayer(collection, opacity) {
    return L.geoJSON(collection, {
      style: (f) => ({ color: "#555", weight: 0.5, fillColor: LEVEL_COLOURS[f.properties.level],
                       fillOpacity: opacity }),
      onEachFeature: (f, layer) => {
        if (f.properties.name) layer.bindTooltip(f.properties.name + ": " + f.properties.label, { sticky: true });
      },
    });
  }

  function legend(labels, tiers) {
    const control = L.control({ position: "bottomright" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "map-legend");
      const heading = document.createElement("strong");
      heading.textContent = labels.legend;
      box.appendChild(heading);
      if (labels.level) {
        const levels = document.createElement("div");
        levels.className = "legend-levels";
        levels.append(document.createTextNode(labels.level + " "));
        [1, 2, 3, 4, 5].forEach((level) => {
          const swatch = document.createElement("span");
          swatch.className = "swatch square";
          swatch.style.background = LEVEL_COLOURS[level];
          swatch.title = String(level);
          levels.append(swatch, document.createTextNode(String(level) + " "));
        });
        box.appendChild(levels);
      }
      if (tiers) [1, 2, 3].forEach((tier) => {
        const row = document.createElement("div");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = TIER_COLOURS[tier];
        row.append(swatch, document.createTextNode(" " + labels["tier" + tier]));
        box.appendChild(row);
      });
      return box;
    };
    return control;
  }

  function start(el) {
    const labels = JSON.parse(el.dataset.labels || "{}");
    const map = L.map(el, { zoomSnap: 0.5, attributionControl: true }).setView([30.2, 69.3], 5);
    map.attributionControl.setPrefix(false);
    el.jsmsMap = map;
    const overlays = {};
    Promise.all([json("/map/config.json"), json("/map/basemap.json")]).then(([config, base]) => {
      if (config && config.tile_url) {
        L.tileLayer(config.tile_url, { attribution: config.tile_attribution || "" }).addTo(map);
      }
      let provinces = null;
      if (base) {
        provinces = drawBase(map, base, labels, overlays);
        if (!el.dataset.focus) map.fitBounds(provinces.getBounds(), { padding: [8, 8], animate: false });
      }
      const loads = [];
      if (el.dataset.routesFrom) {
        const source = document.querySelector(el.dataset.routesFrom);
        const routes = source ? JSON.parse(source.textContent) : null;
        if (routes && routes.features.length) {
          const layer = routeLayer(routes, labels).addTo(map);
          map.invalidateSize(); // the page's grid may have sized the map after it was made
          overlays[labels.routes] = layer;
          map.fitBounds(layer.getBounds(), { padding: [20, 20], animate: false });
          el.dataset.routeCount = String(routes.features.length);
        }
      }
      if (el.dataset.point) {
        const point = JSON.parse(el.dataset.point);
        L.circleMarker([point.lat, point.lon], { radius: 9, weight: 3, color: "#b3261e", fillOpacity: 0.3,
                                                 className: "alert-marker" }).addTo(map);
        map.invalidateSize();
        map.setView([point.lat, point.lon], 10, { animate: false });
      }
      if (el.dataset.unitsUrl) {
        loads.push(json(el.dataset.unitsUrl).then((units) => {
          if (!units) return;
          overlays[labels.units] = L.geoJSON(units, {
            style: { color: "#3c5a99", weight: 1, dashArray: "5 4", fillOpacity: 0.06 },
            onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { sticky: true }),
          }); // off until chosen in the layer control: the areas cover most of the country
        }));
      }
      if (el.dataset.threatUrl) {
        loads.push(json(el.dataset.threatUrl).then((threat) => {
          if (threat) overlays[labels.threat] = levelLayer(threat, 0.35).addTo(map);
        }));
      }
      if (el.dataset.riskUrl) {
        loads.push(json(el.dataset.riskUrl).then((surface) => {
          if (surface) overlays[labels.risk] = levelLayer(surface, 0.55);
        }));
      }
      if (el.dataset.incidentsUrl) {
        loads.push(json(el.dataset.incidentsUrl).then((incidents) => {
          if (!incidents) return;
          overlays[labels.incidents] = incidentLayer(incidents, labels).addTo(map);
          el.dataset.incidentCount = String(incidents.features.length);
        }));
      }
      if (el.dataset.sitesUrl) {
        loads.push(json(el.dataset.sitesUrl).then((sites) => {
          if (!sites) return;
          const layer = siteLayer(sites, labels).addTo(map);
          overlays[labels.sites] = layer;
          el.dataset.siteCount = String(sites.features.length);
          if (el.dataset.focus && sites.features.length) {
            map.fitBounds(layer.getBounds(), { maxZoom: 11, padding: [30, 30], animate: false });
          }
        }));
      }
      Promise.all(loads).then(() => {
        // Areas under points: the threat colours over the base provinces, every marker above both.
        if (overlays[labels.threat]) overlays[labels.threat].bringToBack();
        if (provinces) provinces.bringToBack();
        L.control.layers(null, overlays, { collapsed: true }).addTo(map);
        legend(labels, Boolean(el.dataset.sitesUrl)).addTo(map);
        el.dataset.ready = "true";
      });
    });
  }

  document.querySelectorAll(".map").forEach(start);
})();
