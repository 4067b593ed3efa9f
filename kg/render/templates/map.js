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
  var state = { ready: false, renderMs: null, selected: null, hovered: null, hiddenTypes: {}, open: {},
                keep: null, labels: [], scale: null };

  var originalNode = {};
  data.nodes.forEach(function (n) { originalNode[n.id] = { color: n.color }; });
  var originalEdge = {};
  data.edges.forEach(function (e) { originalEdge[e.id] = e.color; });

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  // Fit the whole map (every community disc, open or folded) with a margin for the names.
  function fitView() {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    data.communities.forEach(function (c) {
      x0 = Math.min(x0, c.x - c.r); x1 = Math.max(x1, c.x + c.r);
      y0 = Math.min(y0, c.y - c.r - 24); y1 = Math.max(y1, c.y + c.r);
    });
    if (!isFinite(x0)) { network.fit({ animation: false }); return; }
    var width = container.clientWidth || 1, height = container.clientHeight || 1;
    var scale = 0.96 * Math.min(width / Math.max(1, x1 - x0), height / Math.max(1, y1 - y0));
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: Math.min(scale, 1.5), animation: false });
  }
  fitView();
  // Labels are fontPx on screen at the default view and grow with the square root of the zoom
  // from there, so zooming in makes room between them and more labels fit.
  var homeScale = network.getScale() || 1;

  window.kgMap = { network: network, nodes: nodes, edges: edges, data: data, state: state,
                   search: search, select: select, clearSelection: clearSelection, setTypeVisible: setTypeVisible,
                   setOpen: setOpen, openAll: openAll };

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
    state.hovered = params.node;
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
  network.on("blurNode", function () { state.hovered = null; hideTooltip(); });
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
    state.keep = keep;
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, color: keep[n.id] ? originalNode[n.id].color : DIM_NODE };
    }));
    var connected = {};
    network.getConnectedEdges(id).forEach(function (e) { connected[e] = true; });
    edges.update(data.edges.map(function (e) {
      return connected[e.id] ? { id: e.id, color: { color: "#444444", opacity: 0.9 } }
                             : { id: e.id, color: { color: "#eeeeee", opacity: 0.5 } };
    }));
  }

  function restore() {
    state.keep = null;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: originalNode[n.id].color }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, color: originalEdge[e.id] }; }));
  }

  function select(id, focus) {
    var node = nodes.get(id);
    if (!node) { return; }
    if (node.folded && !state.open[node.cgroup]) { setOpen(node.cgroup, true); }
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
    if (params.nodes.length) { select(params.nodes[0], false); return; }
    clearSelection();
    var g = discAt(params.pointer.canvas);
    if (g !== null && data.communities[g].size > data.communities[g].shown) { setOpen(g, !state.open[g]); }
  });
  document.getElementById("kg-panel-close").addEventListener("click", clearSelection);

  // --- type filter ----------------------------------------------------------------------------

  // A node is hidden when its type is filtered out, or when it is folded into a closed community.
  function refreshHidden() {
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, hidden: !!state.hiddenTypes[n.ctype] || (!!n.folded && !state.open[n.cgroup]) };
    }));
  }

  function setOpen(group, open) {
    if (open) { state.open[group] = true; } else { delete state.open[group]; }
    refreshHidden();
    updateOpenButton();
  }

  function openAll(open) {
    data.communities.forEach(function (c, g) { if (open) { state.open[g] = true; } else { delete state.open[g]; } });
    refreshHidden();
    updateOpenButton();
  }

  var openButton = document.getElementById("kg-open-all");
  function allOpen() {
    return data.communities.every(function (c, g) { return c.size <= c.shown || state.open[g]; });
  }
  function updateOpenButton() {
    if (openButton) { openButton.textContent = allOpen() ? "Fold communities" : "Open all"; }
  }
  if (openButton) {
    openButton.hidden = !data.folded;
    openButton.addEventListener("click", function () { openAll(!allOpen()); });
  }

  function discAt(point) {
    var best = null;
    data.communities.forEach(function (c, g) {
      var d = Math.hypot(point.x - c.x, point.y - c.y);
      if (d <= c.r && (best === null || c.r < data.communities[best].r)) { best = g; }
    });
    return best;
  }

  function setTypeVisible(type, visible) {
    if (visible) { delete state.hiddenTypes[type]; } else { state.hiddenTypes[type] = true; }
    refreshHidden();
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

  var moreIndex = (data.more || []).map(function (m) { return { label: fold(m[0]), name: m[0], papers: m[1], aliases: [] }; });

  // A concept that is not drawn: {name, papers} of the best match among data.more, or null.
  function searchMore(query) {
    var q = fold(query);
    if (!q) { return null; }
    var tiers = [
      function (c) { return c.label === q; },
      function (c) { return c.label.indexOf(q) === 0; },
      function (c) { return c.label.indexOf(q) >= 0; }
    ];
    for (var t = 0; t < tiers.length; t++) {
      for (var i = 0; i < moreIndex.length; i++) {  // sorted by papers already
        if (tiers[t](moreIndex[i])) { return moreIndex[i]; }
      }
    }
    return null;
  }

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
      var other = searchMore(query);
      if (other) {
        status.textContent = "\u201c" + other.name + "\u201d (" + plural(other.papers, "paper") +
          ") is not drawn here: kg map \u201c" + other.name + "\u201d draws its neighbourhood";
      } else {
        status.textContent = query.trim() ? "No concept matches \u201c" + query.trim() + "\u201d" : "";
      }
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

  // Where each disc is now: its laid-out place, moved with its members when physics moves them.
  var laidOut = {};
  data.nodes.forEach(function (n) { laidOut[n.id] = { x: n.x, y: n.y }; });
  function discCentres(positions) {
    return data.communities.map(function (c) {
      var dx = 0, dy = 0, k = 0;
      c.members.forEach(function (m) {
        var p = positions[m];
        if (p) { dx += p.x - laidOut[m].x; dy += p.y - laidOut[m].y; k += 1; }
      });
      return k ? { x: c.x + dx / k, y: c.y + dy / k } : { x: c.x, y: c.y };
    });
  }

  network.on("beforeDrawing", function (ctx) {
    var centres = discCentres(network.getPositions());
    data.communities.forEach(function (c, g) {
      if (c.size < 2) { return; }
      var folded = c.size > c.shown && !state.open[g];
      ctx.save();
      ctx.beginPath();
      ctx.arc(centres[g].x, centres[g].y, c.r, 0, 2 * Math.PI);
      ctx.fillStyle = folded ? "rgba(95, 95, 150, 0.08)" : "rgba(95, 95, 150, 0.045)";
      ctx.fill();
      ctx.setLineDash([8, 8]);
      ctx.lineWidth = 1.5 / (network.getScale() || 1);
      ctx.strokeStyle = "rgba(95, 95, 150, 0.3)";
      ctx.stroke();
      ctx.restore();
    });
  });

  // --- labels -----------------------------------------------------------------------------------
  //
  // vis-network would print every label, over each other once a map is dense. The page draws
  // them itself after each frame, most important first: community names (14 px on screen at any
  // zoom), then the hovered and selected concepts and the selection's neighbours, then concepts
  // by papers. A label that would cover one already drawn is skipped; zooming in makes room, so
  // smaller concepts' labels appear. Concept labels are fontPx on screen at the default view and
  // grow with the square root of the zoom. state.labels keeps the boxes drawn, in screen
  // pixels, for the tests.

  var MIN_LABEL_PX = 9, NAME_PX = 14, FONT = "Helvetica, Arial, sans-serif";
  var byRank = data.nodes.slice().sort(function (a, b) { return a.rank - b.rank; });

  function Boxes(cell) {
    this.cell = cell; this.grid = {}; this.list = [];
  }
  Boxes.prototype.keys = function (b) {
    var out = [], c = this.cell;
    for (var i = Math.floor(b.x0 / c); i <= Math.floor(b.x1 / c); i++) {
      for (var j = Math.floor(b.y0 / c); j <= Math.floor(b.y1 / c); j++) { out.push(i + "," + j); }
    }
    return out;
  };
  Boxes.prototype.free = function (b) {
    var keys = this.keys(b);
    for (var k = 0; k < keys.length; k++) {
      var cell = this.grid[keys[k]];
      if (!cell) { continue; }
      for (var m = 0; m < cell.length; m++) {
        var o = cell[m];
        if (b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1) { return false; }
      }
    }
    return true;
  };
  Boxes.prototype.add = function (b) {
    var self = this;
    this.keys(b).forEach(function (k) { (self.grid[k] = self.grid[k] || []).push(b); });
    this.list.push(b);
  };

  network.on("afterDrawing", function (ctx) {
    var scale = network.getScale() || 1;
    state.scale = scale;
    var positions = network.getPositions();
    var centres = discCentres(positions);
    var boxes = new Boxes(160 / scale);
    var drawn = [];
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    ctx.lineJoin = "round";

    // Visible nodes are obstacles too: a label never prints over another concept's dot.
    var dots = new Boxes(160 / scale);
    data.nodes.forEach(function (n) {
      var live = nodes.get(n.id), p = positions[n.id];
      if (live && !live.hidden && p) {
        dots.add({ x0: p.x - n.size, x1: p.x + n.size, y0: p.y - n.size, y1: p.y + n.size });
      }
    });

    // Draw text at the first free spot: spots are functions (width, height) -> [centre x, top y].
    // Labels never cover labels; they avoid dots too unless overDots allows it.
    function place(text, spots, px, weight, fill, stroke, overDots) {
      ctx.font = weight + " " + px + "px " + FONT;
      var w = ctx.measureText(text).width, h = px * 1.25;
      for (var pass = 0; pass < (overDots ? 2 : 1); pass++) {
        for (var t = 0; t < spots.length; t++) {
          var at = spots[t](w, h);
          var box = { x0: at[0] - w / 2 - 2 / scale, x1: at[0] + w / 2 + 2 / scale, y0: at[1], y1: at[1] + h, text: text };
          if (!boxes.free(box) || (pass === 0 && !dots.free(box))) { continue; }
          boxes.add(box);
          ctx.lineWidth = 4 / scale;
          ctx.strokeStyle = stroke;
          ctx.strokeText(text, at[0], at[1] + px);
          ctx.fillStyle = fill;
          ctx.fillText(text, at[0], at[1] + px);
          drawn.push(box);
          return true;
        }
      }
      return false;
    }

    function label(n, forcedOnly) {
      var live = nodes.get(n.id);
      var p = positions[n.id];
      if (!live || live.hidden || !p) { return; }
      var forced = n.id === state.hovered || n.id === state.selected;
      if (forcedOnly && !forced) { return; }
      var px = n.fontPx * Math.sqrt(scale / homeScale) / scale;  // canvas units for fontPx * sqrt(zoom) on screen
      if (px * scale < MIN_LABEL_PX) {
        if (!forced) { return; }
        px = MIN_LABEL_PX / scale;
      }
      var dim = state.keep && !state.keep[n.id];
      var gap = 1 / scale, r = n.size;
      var spots = [
        function (w, h) { return [p.x, p.y + r + gap]; },                      // below
        function (w, h) { return [p.x, p.y - r - h - gap]; },                  // above
        function (w, h) { return [p.x + r + 3 * gap + w / 2, p.y - h / 2]; },  // right
        function (w, h) { return [p.x - r - 3 * gap - w / 2, p.y - h / 2]; }   // left
      ];
      // A community's leading concept, and the hovered or selected one, may print over dots.
      var lead = forced || n.id === data.centre || data.communities[n.cgroup].members[0] === n.id;
      place(n.text, spots, px, n.id === data.centre ? "bold" : "normal", dim ? "#b8b8b8" : "#1d1d1d", "#ffffff", lead);
    }

    // 1. the hovered and the selected concept, whatever their size
    var seen = {};
    [state.hovered, state.selected].forEach(function (id) {
      var n = id === null ? null : nodes.get(id);
      if (n && !seen[id]) { seen[id] = true; label(n, true); }
    });

    // 2. community names above their discs, largest community first
    var view0 = network.DOMtoCanvas({ x: 0, y: 0 });
    var view1 = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
    var order = data.communities.map(function (c, g) { return g; })
      .filter(function (g) { return data.communities[g].name; })
      .sort(function (a, b) { return data.communities[b].size - data.communities[a].size || a - b; });
    order.forEach(function (g, i) {
      var c = data.communities[g];
      var px = NAME_PX / scale;
      var cx = centres[g].x, cy = centres[g].y;
      // above the disc, else just inside its top, else below it
      // a name wider than its disc slides sideways to stay inside the view
      function inView(x, w) { return Math.min(Math.max(x, view0.x + w / 2 + 4 / scale), view1.x - w / 2 - 4 / scale); }
      place(c.name + " \u00b7 " + c.size, [
        function (w) { return [inView(cx, w), cy - c.r - px * 1.3]; },
        function (w) { return [inView(cx, w), cy - c.r + px * 0.3]; },
        function (w) { return [inView(cx, w), cy + c.r + px * 0.1]; }
      ], px, "600", "rgba(60, 60, 100, 0.8)", "rgba(255, 255, 255, 0.85)", i < 10);  // the 10 largest may cover dots
    });

    // 3. the selection's neighbours, then every concept by rank (papers)
    var queue = state.keep ? byRank.filter(function (n) { return state.keep[n.id]; }).concat(byRank) : byRank;
    for (var i = 0; i < queue.length; i++) {
      var n = queue[i];
      if (seen[n.id]) { continue; }
      seen[n.id] = true;
      label(n, false);
    }
    ctx.restore();
    state.labels = drawn.map(function (b) {
      var a = network.canvasToDOM({ x: b.x0, y: b.y0 }), z = network.canvasToDOM({ x: b.x1, y: b.y1 });
      return { text: b.text, x0: a.x, y0: a.y, x1: z.x, y1: z.y };
    });
  });
})();
