/* Live discussion threads: progressive enhancement of the server-rendered thread.
 *
 * Without this script the thread reads and posts through plain forms. With it:
 * - one WebSocket per thread (/ws/threads/<id>/); on open it sends
 *   {"type": "hello", "last_seq": n} and the server replays what was missed;
 * - it remembers the highest stream number seen without a gap (memory and
 *   sessionStorage); a gap in live numbers makes it ask again, so nothing is lost;
 * - every message state carries a cursor: an element is replaced only by a newer
 *   state, so a replayed or repeated event never shows twice;
 * - messages written while offline wait in a queue (sessionStorage) with an
 *   idempotency key and are sent when the connection is back: a retry never
 *   doubles a message;
 * - reconnects with exponential backoff; says "offline" / "caught up" in an
 *   aria-live region;
 * - user text goes into the page with textContent only.
 */
(function () {
  "use strict";

  if (window.chaintableDiscussion) { return; }
  window.chaintableDiscussion = true;

  var PING_EVERY = 25000;
  var PONG_WITHIN = 10000;
  var GAP_WAIT = 2000;
  var MAX_BACKOFF = 30000;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The zone's wall clock for an instant, and its UTC offset in minutes.
  function wallClock(date, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric"
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    var c = {
      Y: +parts.year, n: +parts.month, j: +parts.day,
      G: +parts.hour % 24, i: +parts.minute, s: +parts.second
    };
    var wall = Date.UTC(c.Y, c.n - 1, c.j, c.G, c.i, c.s);
    c.offset = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
    return c;
  }

  // A time written exactly as the server writes it on this page: Django's date format
  // of the page's language (data-time-format), the reader's zone and its name, and the
  // language's month and a.m./p.m. words (governance/templatetags/local_time.py).
  function formatTime(iso, data) {
    var date = new Date(iso);
    if (!data.timeFormat || !data.timeZone || isNaN(date.getTime())) { return date.toLocaleString(); }
    var words = JSON.parse(data.timeWords);
    var names = JSON.parse(data.timeZoneNames);
    var c = wallClock(date, data.timeZone);
    var h12 = c.G % 12 || 12;
    var half = c.G > 11 ? 1 : 0;
    var f = data.timeFormat;
    var out = "";
    for (var k = 0; k < f.length; k += 1) {
      var ch = f.charAt(k);
      switch (ch) {
        case "\\": k += 1; out += f.charAt(k); break;
        case "j": out += c.j; break;
        case "d": out += pad(c.j); break;
        case "n": out += c.n; break;
        case "m": out += pad(c.n); break;
        case "F": out += words.F[c.n - 1]; break;
        case "N": out += words.N[c.n - 1]; break;
        case "M": out += words.M[c.n - 1]; break;
        case "Y": out += c.Y; break;
        case "y": out += pad(c.Y % 100); break;
        case "G": out += c.G; break;
        case "H": out += pad(c.G); break;
        case "g": out += h12; break;
        case "h": out += pad(h12); break;
        case "i": out += pad(c.i); break;
        case "s": out += pad(c.s); break;
        case "a": out += words.a[half]; break;
        case "A": out += words.A[half]; break;
        case "f": out += c.i ? h12 + ":" + pad(c.i) : h12; break;
        case "P":
          if (c.i === 0 && c.G === 0) { out += words.midnight; }
          else if (c.i === 0 && c.G === 12) { out += words.noon; }
          else { out += (c.i ? h12 + ":" + pad(c.i) : h12) + " " + words.a[half]; }
          break;
        case "T": out += names[String(c.offset)] || data.timeZone; break;
        default: out += ch;
      }
    }
    return out;
  }
  window.chaintableFormatTime = formatTime;

  function Discussion(root) {
    this.root = root;
    this.data = root.dataset;
    this.thread = this.data.thread;
    this.list = root.querySelector("[data-messages]");
    this.queueList = root.querySelector("[data-queue]");
    this.empty = root.querySelector("[data-empty]");
    this.status = root.querySelector("[data-status]");
    this.presence = root.querySelector("[data-presence]");
    this.form = root.querySelector("form[data-post-form]");
    this.postError = root.querySelector("[data-post-error]");
    this.storeKey = "chaintable:discussion:" + this.thread;
    this.lastSeq = parseInt(this.data.lastSeq || "0", 10) || 0;
    this.seen = {};          // stream numbers above lastSeq already applied
    this.queue = [];         // [{key, body}] not yet acknowledged
    this.inFlight = {};      // key -> true while sent and not answered
    this.socket = null;
    this.caughtUp = false;
    this.attempts = 0;
    this.timer = null;
    this.gapTimer = null;
    this.lastHeard = 0;
    this.stopped = false;
    this.restore();
    this.bind();
    this.connect();
  }

  Discussion.prototype.text = function (name) {
    return this.data["text" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
  };

  Discussion.prototype.setStatus = function (name, state) {
    if (!this.status) { return; }
    this.status.textContent = this.text(name);
    this.status.classList.toggle("is-paused", state === "paused");
    this.status.classList.toggle("is-stopped", state === "stopped");
  };

  // --- remembered state ---

  Discussion.prototype.restore = function () {
    var store = storage();
    if (!store) { return; }
    try {
      var saved = JSON.parse(store.getItem(this.storeKey) || "{}");
      if (Array.isArray(saved.queue)) {
        this.queue = saved.queue.filter(function (item) { return item && item.key && item.body; });
      }
    } catch (e) { this.queue = []; }
    this.queue.forEach(this.showQueued, this);
  };

  Discussion.prototype.save = function () {
    var store = storage();
    if (!store) { return; }
    try {
      store.setItem(this.storeKey, JSON.stringify({ last_seq: this.lastSeq, queue: this.queue }));
    } catch (e) { /* full or disabled: memory still works */ }
  };

  // --- the connection ---

  Discussion.prototype.bind = function () {
    var self = this;
    window.addEventListener("offline", function () {
      self.drop();
      self.setStatus("offline", "paused");
    });
    window.addEventListener("online", function () {
      self.attempts = 0;
      self.reconnectNow();
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { self.reconnectNow(); }
    });
    if (this.form) {
      this.form.addEventListener("submit", function (event) { self.onSubmit(event); });
    }
    window.setInterval(function () { self.keepAlive(); }, 5000);
  };

  Discussion.prototype.reconnectNow = function () {
    if (this.stopped) { return; }
    window.clearTimeout(this.timer);
    if (!this.socket) { this.connect(); }
  };

  Discussion.prototype.connect = function () {
    if (this.stopped || this.socket || !window.WebSocket) { return; }
    if (navigator.onLine === false) {
      this.setStatus("offline", "paused");
      return;
    }
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + this.data.ws);
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.caughtUp = false;
    this.setStatus("connecting");
    socket.onopen = function () {
      self.attempts = 0;
      self.lastHeard = Date.now();
      self.setStatus("catchingUp");
      self.hello();
    };
    socket.onmessage = function (event) {
      self.lastHeard = Date.now();
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      self.receive(frame);
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) { return; }
      self.socket = null;
      self.caughtUp = false;
      self.inFlight = {};
      // 4403: no (longer any) access, final. Anything else, 4503 included (live
      // updates unavailable for now), reconnects with backoff and replays.
      if (event.code === 4403) {
        self.stopped = true;
        self.setStatus("forbidden", "stopped");
        return;
      }
      self.setStatus(navigator.onLine === false ? "offline" : "paused", "paused");
      self.scheduleReconnect();
    };
  };

  // Let go of the socket at once (its late frames are ignored); reconnecting is separate.
  Discussion.prototype.drop = function () {
    var socket = this.socket;
    this.socket = null;
    this.caughtUp = false;
    this.inFlight = {};
    if (socket) {
      socket.onclose = socket.onmessage = null;
      try { socket.close(); } catch (e) { /* already closed */ }
    }
  };

  Discussion.prototype.scheduleReconnect = function () {
    var self = this;
    window.clearTimeout(this.timer);
    if (navigator.onLine === false) { return; }   // the "online" event reconnects
    var delay = Math.min(MAX_BACKOFF, 500 * Math.pow(2, this.attempts));
    this.attempts += 1;
    this.timer = window.setTimeout(function () { self.connect(); }, delay * (0.5 + Math.random() / 2));
  };

  Discussion.prototype.send = function (frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  };

  Discussion.prototype.hello = function () {
    this.send({ type: "hello", last_seq: this.lastSeq });
  };

  Discussion.prototype.keepAlive = function () {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) { return; }
    var quiet = Date.now() - this.lastHeard;
    if (quiet > PING_EVERY + PONG_WITHIN) {
      this.drop();                   // a silent, dead connection: start again
      this.setStatus(navigator.onLine === false ? "offline" : "paused", "paused");
      this.scheduleReconnect();
    } else if (quiet > PING_EVERY) {
      this.send({ type: "ping" });
    }
  };

  // --- frames from the server ---

  Discussion.prototype.receive = function (frame) {
    switch (frame.type) {
      case "message.created":
      case "message.edited":
      case "message.hidden":
      case "message.deleted":
        this.apply(frame.message);
        break;
      case "caught_up":
        this.advanceTo(frame.last_seq);
        this.caughtUp = true;
        this.setStatus("caughtUp");
        this.flush();
        break;
      case "more":
        this.advanceTo(frame.last_seq);
        this.hello();
        break;
      case "ack":
        this.acknowledged(frame);
        break;
      case "error":
        this.refused(frame.key, frame.message);
        break;
      case "presence":
        this.showPresence(frame);
        break;
      default:
        break;
    }
  };

  Discussion.prototype.advanceTo = function (seq) {
    if (typeof seq !== "number" || seq <= this.lastSeq) { return; }
    this.lastSeq = seq;
    var self = this;
    Object.keys(this.seen).forEach(function (n) { if (+n <= seq) { delete self.seen[n]; } });
    this.save();
  };

  // Remember a stream number; lastSeq only moves over numbers without a gap.
  Discussion.prototype.note = function (cursor) {
    if (cursor <= this.lastSeq) { return; }
    this.seen[cursor] = true;
    while (this.seen[this.lastSeq + 1]) {
      delete this.seen[this.lastSeq + 1];
      this.lastSeq += 1;
    }
    this.save();
    var self = this;
    window.clearTimeout(this.gapTimer);
    if (Object.keys(this.seen).length && this.caughtUp) {
      // A number is missing (out of order, or dropped on the way): ask again soon.
      this.gapTimer = window.setTimeout(function () {
        if (Object.keys(self.seen).length) { self.hello(); }
      }, GAP_WAIT);
    }
  };

  Discussion.prototype.find = function (sequence) {
    return this.list.querySelector('[data-sequence="' + sequence + '"]');
  };

  Discussion.prototype.apply = function (m) {
    if (!m || typeof m.sequence !== "number" || typeof m.cursor !== "number") { return; }
    this.note(m.cursor);
    var current = this.find(m.sequence);
    if (current && parseInt(current.dataset.cursor, 10) >= m.cursor) { return; }
    var first = this.list.firstElementChild;
    if (!current && first && m.sequence < parseInt(first.dataset.sequence, 10)) {
      return;   // a change to a message older than the page shows
    }
    var item = this.render(m);
    if (current) {
      current.parentNode.replaceChild(item, current);
    } else {
      var after = null;
      var items = this.list.children;
      for (var i = items.length - 1; i >= 0; i -= 1) {
        if (parseInt(items[i].dataset.sequence, 10) < m.sequence) { after = items[i]; break; }
      }
      this.list.insertBefore(item, after ? after.nextSibling : this.list.firstChild);
    }
    if (this.empty) { this.empty.hidden = true; }
    var waiting = this.queueList && this.queueList.querySelector('[data-awaits="' + m.sequence + '"]');
    if (waiting) { waiting.parentNode.removeChild(waiting); }
  };

  Discussion.prototype.render = function (m) {
    var item = el("li", "message");
    if (m.hidden) { item.classList.add("is-hidden"); }
    if (m.deleted) { item.classList.add("is-deleted"); }
    if (this.data.ws && document.querySelectorAll("[data-discussion]").length === 1) {
      item.id = "message-" + m.sequence;
    }
    item.dataset.sequence = m.sequence;
    item.dataset.cursor = m.cursor;
    item.dataset.id = m.id;
    var meta = el("p", "message-meta");
    meta.appendChild(el("span", "message-author", m.author));
    var time = el("time", null, formatTime(m.created_at, this.data));
    time.setAttribute("datetime", m.created_at);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    if (m.edited_at && !m.hidden && !m.deleted) {
      meta.appendChild(el("span", "message-flag", this.text("edited")));
    }
    // Written in another language than the page's: say so, and mark it (WCAG 3.1.2).
    var page = (document.documentElement.lang || "").split("-")[0];
    var other = m.language && m.language !== page ? m.language : "";
    if (other && !m.hidden && !m.deleted) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("span", "written-in",
        this.text("written" + other.charAt(0).toUpperCase() + other.slice(1))));
    }
    item.appendChild(meta);
    if (m.deleted) {
      item.appendChild(el("p", "message-body message-removed", this.text("deleted")));
    } else if (m.hidden) {
      item.appendChild(el("p", "message-body message-removed", this.text("hidden")));
    } else {
      var text = el("p", "message-body", m.body);
      if (other) { text.lang = other; }
      item.appendChild(text);
    }
    var actions = el("div", "message-actions");
    if (m.mine && !m.hidden && !m.deleted) {
      var edit = el("a", null, this.text("edit"));
      edit.href = this.url("editUrl", m.id);
      actions.appendChild(edit);
    }
    if (this.data.moderator && !m.deleted) {
      actions.appendChild(this.postButton(this.url(m.hidden ? "unhideUrl" : "hideUrl", m.id),
        this.text(m.hidden ? "unhide" : "hide")));
    }
    if (actions.childNodes.length) { item.appendChild(actions); }
    return item;
  };

  Discussion.prototype.url = function (name, id) {
    return (this.data[name] || "").replace("/0/", "/" + encodeURIComponent(id) + "/");
  };

  Discussion.prototype.csrf = function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  Discussion.prototype.postButton = function (action, label) {
    var form = el("form");
    form.method = "post";
    form.action = action;
    var token = el("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = this.csrf();
    var button = el("button", "link", label);
    button.type = "submit";
    form.appendChild(token);
    form.appendChild(button);
    return form;
  };

  Discussion.prototype.showPresence = function (frame) {
    if (!this.presence) { return; }
    var text = frame.count === 1 ? this.text("viewingOne")
      : this.text("viewingMany").replace("%(count)s", String(frame.count));
    if (Array.isArray(frame.names) && frame.names.length) { text += ": " + frame.names.join(", "); }
    this.presence.textContent = text;
  };

  // --- posting ---

  Discussion.prototype.onSubmit = function (event) {
    var field = this.form.elements.body;
    var keyField = this.form.elements.idempotency_key;
    if (!field || !window.JSON) { return; }     // let the form post as it is
    event.preventDefault();
    var body = field.value.trim();
    if (!body) { field.focus(); return; }
    var item = { key: (keyField && keyField.value) || newKey(), body: body };
    if (keyField) { keyField.value = newKey(); }   // the next message gets its own key
    field.value = "";
    this.showError("");
    this.queue.push(item);
    this.save();
    this.showQueued(item);
    if (this.caughtUp) {
      this.flush();
    } else if (navigator.onLine !== false) {
      this.postOverHttp(item);     // live updates are down, the site may not be
    }
  };

  Discussion.prototype.showQueued = function (item) {
    if (!this.queueList) { return; }
    var li = el("li", "message is-pending");
    li.dataset.key = item.key;
    li.dataset.state = this.text("queued");
    li.appendChild(el("p", "message-meta"));
    li.appendChild(el("p", "message-body", item.body));
    this.queueList.appendChild(li);
  };

  Discussion.prototype.queued = function (key) {
    return this.queueList ? this.queueList.querySelector('[data-key="' + key + '"]') : null;
  };

  Discussion.prototype.flush = function () {
    var self = this;
    this.queue.forEach(function (item) {
      if (self.inFlight[item.key]) { return; }
      if (self.send({ type: "post", body: item.body, key: item.key })) {
        self.inFlight[item.key] = true;
        var li = self.queued(item.key);
        if (li) { li.dataset.state = self.text("sending"); }
      }
    });
  };

  Discussion.prototype.forget = function (key) {
    this.queue = this.queue.filter(function (item) { return item.key !== key; });
    delete this.inFlight[key];
    this.save();
    var li = this.queued(key);
    if (li) { li.parentNode.removeChild(li); }
  };

  Discussion.prototype.acknowledged = function (frame) {
    var li = this.queued(frame.key);
    if (li && typeof frame.sequence === "number" && !this.find(frame.sequence)) {
      // Keep showing it until its own event arrives (that comes the long way round).
      li.dataset.awaits = frame.sequence;
      delete li.dataset.key;
    }
    this.forget(frame.key);
    if (frame.held && frame.message) { this.showError(frame.message); }
    var self = this;
    if (typeof frame.sequence === "number" && !this.find(frame.sequence)) {
      window.setTimeout(function () { if (!self.find(frame.sequence)) { self.hello(); } }, GAP_WAIT);
    }
  };

  Discussion.prototype.refused = function (key, message) {
    var item = null;
    this.queue.forEach(function (q) { if (q.key === key) { item = q; } });
    this.forget(key);
    this.showError(message || this.text("failed"));
    var field = this.form && this.form.elements.body;
    if (item && field && !field.value) { field.value = item.body; }   // nothing typed is lost
  };

  Discussion.prototype.showError = function (message) {
    if (!this.postError) { return; }
    this.postError.textContent = message;
    this.postError.hidden = !message;
  };

  Discussion.prototype.postOverHttp = function (item) {
    if (!window.fetch || this.inFlight[item.key]) { return; }
    var self = this;
    var data = new FormData(this.form);
    data.set("body", item.body);
    data.set("idempotency_key", item.key);
    this.inFlight[item.key] = true;
    window.fetch(this.form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (json) { return json; }, function () {
        return { ok: false, message: self.text("failed") };
      });
    }).then(function (json) {
      if (json.ok) {
        self.forget(item.key);
        if (json.message) { self.apply(json.message); }
        if (json.held) { self.showError(json.notice); }
      } else {
        self.refused(item.key, json.message);
      }
    }, function () {
      delete self.inFlight[item.key];   // offline: stays queued for the socket
    });
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-discussion]"), function (root) {
      if (!root.chaintableDiscussion) { root.chaintableDiscussion = new Discussion(root); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
