/* kg concept map: tooltips, details panel, neighbourhood highlight, type filter, search.
 *
 * Every text that comes from the papers (labels, aliases, titles, sentences) is put into the
 * page with textContent or drawn on the canvas; nothing here parses a string as HTML.
 * Tests read window.kgMap (the vis Network and its DataSets) and window.kgMap.state.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var tooltip = document.getElementById("kg-tooltip");
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  var state = { ready: false, renderMs: null, selected: null, hiddenTypes: {} };

  var originalNode = {};
  data.nodes.forEach(function (n) { originalNode[n.id] = { color: n.color, font: n.font || {} }; });
  var originalEdge = {};
  data.edges.forEach(function (e) { originalEdge[e.id] = e.color; });

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  // Fit the map with a margin, so the community names above the outer discs stay in view.
  function fitView() {
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.92, animation: false });
  }
  fitView();

  window.kgMap = { network: network, nodes: nodes, edges: edges, data: data, state: state,
                   search: search, select: select, clearSelection: clearSelection, setTypeVisible: setTypeVisible };

  network.once("afterDrawing", function () {
    state.renderMs = performance.now();
    state.ready = true;
    document.documentElement.setAttribute("data-kg-ready", "1");
  });

  // --- small DOM helpers (text only) ---------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function info(id) {
    var node = nodes.get(id);
    return node ? node.info : null;
  }

  // --- concept details (tooltip and panel) ---------------------------------------------------

  function details(target, id, full) {
    var d = info(id);
    target.replaceChildren();
    if (!d) { return; }
    target.appendChild(el("h2", null, d.label));
    var meta = el("p", "kg-meta");
    var kind = el("span", "kg-kind", d.type || "concept");
    kind.style.background = data.colours[d.type] || "#888888";
    meta.appendChild(kind);
    var facts = plural(d.papers, "paper") + ", " + plural(d.mentions, "mention");
    if (d.first && d.last) { facts += d.first === d.last ? ", seen " + d.first : ", seen " + d.first + " \u2013 " + d.last; }
    meta.appendChild(document.createTextNode(facts));
    target.appendChild(meta);
    if (d.aliases.length) {
      target.appendChild(el("h3", null, "Also written"));
      target.appendChild(el("p", "kg-meta", d.aliases.join(" \u00b7 ")));
    }
    if (d.community) {
      target.appendChild(el("h3", null, "Community"));
      target.appendChild(el("p", "kg-meta", d.community));
    }
    if (d.evidence.length) {
      target.appendChild(el("h3", null, "Evidence"));
      var list = el("ol");
      d.evidence.forEach(function (ev) {
        var item = el("li");
        item.appendChild(el("div", "kg-sentence", "\u201c" + ev.sentence + "\u201d"));
        item.appendChild(el("div", "kg-source", ev.title + (ev.date ? " (" + ev.date + ")" : "")));
        list.appendChild(item);
      });
      target.appendChild(list);
    }
    if (full) {
      var neighbours = network.getConnectedNodes(id).map(function (n) { return nodes.get(n); })
        .filter(function (n) { return n && !n.hidden; })
        .sort(function (a, b) { return b.info.papers - a.info.papers || (a.info.label < b.info.label ? -1 : 1); });
      if (neighbours.length) {
        target.appendChild(el("h3", null, "Connected to " + neighbours.length));
        var box = el("div", "kg-neighbours");
        neighbours.forEach(function (n) {
          var button = el("button", null, n.info.label);
          button.type = "button";
          button.addEventListener("click", function () { select(n.id, true); });
          box.appendChild(button);
        });
        target.appendChild(box);
      }
    }
  }

  function showTooltipAt(pointer) {
    tooltip.hidden = false;
    var width = container.clientWidth, height = container.clientHeight;
    var x = pointer.x + 16, y = pointer.y + 16;
    if (x + tooltip.offsetWidth > width) { x = Math.max(0, pointer.x - tooltip.offsetWidth - 16); }
    if (y + tooltip.offsetHeight > height) { y = Math.max(0, height - tooltip.offsetHeight - 4); }
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }

  network.on("hoverNode", function (params) {
    details(tooltip, params.node, false);
    showTooltipAt(params.pointer.DOM);
  });
  network.on("hoverEdge", function (params) {
    var edge = edges.get(params.edge);
    if (!edge) { return; }
    tooltip.replaceChildren();
    tooltip.appendChild(el("h2", null, info(edge.from).label + " \u2014 " + info(edge.to).label));
    tooltip.appendChild(el("p", "kg-meta", edge.info.types.join(", ") + " \u00b7 " + plural(edge.info.weight, "supporting sentence")));
    showTooltipAt(params.pointer.DOM);
  });
  function hideTooltip() { tooltip.hidden = true; }
  network.on("blurNode", hideTooltip);
  network.on("blurEdge", hideTooltip);
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);
  container.addEventListener("mouseleave", hideTooltip);

  // --- selection and neighbourhood highlight -------------------------------------------------

  var DIM_NODE = { background: "#eeeeee", border: "#dddddd", highlight: { background: "#eeeeee", border: "#999999" }, hover: { background: "#eeeeee", border: "#999999" } };

  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
    nodes.update(data.nodes.map(function (n) {
      var o = originalNode[n.id];
      return keep[n.id] ? { id: n.id, color: o.color, font: o.font }
                        : { id: n.id, color: DIM_NODE, font: { color: "#b8b8b8" } };
    }));
    var connected = {};
    network.getConnectedEdges(id).forEach(function (e) { connected[e] = true; });
    edges.update(data.edges.map(function (e) {
      return connected[e.id] ? { id: e.id, color: { color: "#444444", opacity: 0.9 } }
                             : { id: e.id, color: { color: "#eeeeee", opacity: 0.5 } };
    }));
  }

  function restore() {
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: originalNode[n.id].color, font: originalNode[n.id].font }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, color: originalEdge[e.id] }; }));
  }

  function select(id, focus) {
    if (!nodes.get(id)) { return; }
    state.selected = id;
    highlight(id);
    network.selectNodes([id]);
    details(panelBody, id, true);
    panel.hidden = false;
    if (focus) { network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false }); }
  }

  function clearSelection() {
    if (state.selected === null) { return; }
    state.selected = null;
    network.unselectAll();
    restore();
    panel.hidden = true;
  }

  network.on("click", function (params) {
    if (params.nodes.length) { select(params.nodes[0], false); } else { clearSelection(); }
  });
  document.getElementById("kg-panel-close").addEventListener("click", clearSelection);

  // --- type filter ----------------------------------------------------------------------------

  function setTypeVisible(type, visible) {
    if (visible) { delete state.hiddenTypes[type]; } else { state.hiddenTypes[type] = true; }
    nodes.update(data.nodes.filter(function (n) { return n.ctype === type; })
      .map(function (n) { return { id: n.id, hidden: !visible }; }));
    document.querySelectorAll(".kg-type-filter").forEach(function (box) {
      if (box.dataset.type === type) { box.checked = visible; }
    });
    if (state.selected !== null && !visible && info(state.selected).type === type) { clearSelection(); }
  }

  document.querySelectorAll(".kg-type-filter").forEach(function (box) {
    box.addEventListener("change", function () { setTypeVisible(box.dataset.type, box.checked); });
  });

  // --- search ---------------------------------------------------------------------------------

  function fold(text) {
    return String(text).normalize("NFKC").toLowerCase().replace(/-/g, " ").replace(/\s+/g, " ").trim();
  }

  var index = data.nodes.map(function (n) {
    return { id: n.id, label: fold(n.info.label), aliases: n.info.aliases.map(fold), papers: n.info.papers };
  });

  function search(query) {
    var q = fold(query);
    if (!q) { return null; }
    var tiers = [
      function (c) { return c.label === q; },
      function (c) { return c.aliases.indexOf(q) >= 0; },
      function (c) { return c.label.indexOf(q) === 0; },
      function (c) { return c.label.indexOf(q) >= 0; },
      function (c) { return c.aliases.some(function (a) { return a.indexOf(q) >= 0; }); }
    ];
    for (var t = 0; t < tiers.length; t++) {
      var hits = index.filter(tiers[t]);
      if (hits.length) {
        hits.sort(function (a, b) { return b.papers - a.papers || (a.id < b.id ? -1 : 1); });
        return hits[0].id;
      }
    }
    return null;
  }

  var labels = document.getElementById("kg-labels");
  data.nodes.slice().sort(function (a, b) { return b.info.papers - a.info.papers; }).forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.info.label;
    labels.appendChild(option);
  });

  var status = document.getElementById("kg-search-status");
  document.getElementById("kg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("kg-search-input").value;
    var id = search(query);
    if (id === null) {
      status.textContent = query.trim() ? "No concept matches \u201c" + query.trim() + "\u201d" : "";
      return;
    }
    var d = info(id);
    if (state.hiddenTypes[d.type]) { setTypeVisible(d.type, true); }
    select(id, true);
    status.textContent = "Found " + d.label;
  });

  // --- options --------------------------------------------------------------------------------

  document.getElementById("kg-physics").addEventListener("change", function (event) {
    network.setOptions({ physics: { enabled: event.target.checked } });
  });
  document.getElementById("kg-fit").addEventListener("click", fitView);

  // --- community discs ------------------------------------------------------------------------

  network.on("beforeDrawing", function (ctx) {
    var positions = network.getPositions();
    var scale = network.getScale() || 1;
    data.communities.forEach(function (community) {
      var pts = community.members.filter(function (m) {
        var n = nodes.get(m);
        return n && !n.hidden && positions[m];
      }).map(function (m) { return positions[m]; });
      if (pts.length < 3) { return; }
      var cx = 0, cy = 0;
      pts.forEach(function (p) { cx += p.x; cy += p.y; });
      cx /= pts.length; cy /= pts.length;
      var r = 0;
      pts.forEach(function (p) { r = Math.max(r, Math.hypot(p.x - cx, p.y - cy)); });
      r += 36;
      ctx.save();
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(95, 95, 150, 0.045)";
      ctx.fill();
      ctx.setLineDash([8, 8]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "rgba(95, 95, 150, 0.25)";
      ctx.stroke();
      // The names stay 15 px on screen at any zoom: readable when the whole map is in view.
      ctx.font = "600 " + (15 / scale) + "px Helvetica, Arial, sans-serif";
      ctx.textAlign = "center";
      ctx.fillStyle = "rgba(60, 60, 100, 0.55)";
      // Clip the name to a little more than the disc's width so neighbouring names do not collide.
      var name = community.name, room = Math.max(2 * r + 40 / scale, 150 / scale);
      while (name.length > 4 && ctx.measureText(name).width > room) { name = name.slice(0, -2) + "\u2026"; }
      ctx.fillText(name, cx, cy - r - 6 / scale);
      ctx.restore();
    });
  });
})();
