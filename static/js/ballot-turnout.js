// Live turnout on a ballot page. Progressive enhancement: the page already shows
// the turnout as it was when loaded; this keeps the counts current over a
// WebSocket and says when the ballot has closed or been cancelled. It never
// receives choices.
(function () {
  "use strict";
  var section = document.querySelector("[data-ballot-turnout]");
  if (!section || !("WebSocket" in window)) return;
  var ballotId = section.getAttribute("data-ballot-turnout");
  var live = section.querySelector("[data-turnout-live]");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + "/ws/ballots/" + ballotId + "/";
  var delay = 1000;
  var finished = false;

  function setText(el, value) {
    if (el) el.textContent = String(value);
  }

  function showTurnout(rows) {
    var voted = 0, eligible = 0;
    rows.forEach(function (row) {
      voted += row.voted;
      eligible += row.eligible;
      section.querySelectorAll("tr[data-chamber]").forEach(function (tr) {
        // By the chamber's number: its name depends on the page's language.
        if (tr.getAttribute("data-chamber") !== String(row.chamber_id)) return;
        setText(tr.querySelector("[data-voted]"), row.voted);
        setText(tr.querySelector("[data-eligible]"), row.eligible);
        var meter = tr.querySelector("meter");
        if (meter) {
          meter.max = row.eligible;
          meter.value = row.voted;
        }
      });
    });
    setText(section.querySelector("[data-turnout-voted]"), voted);
    setText(section.querySelector("[data-turnout-eligible]"), eligible);
  }

  // The page gives translated texts as data-closed-text / data-cancelled-text.
  var ENDED = {
    closed: "The ballot has closed. Reload the page to see the result.",
    cancelled: "The ballot has been cancelled. Reload the page to see why."
  };

  // A "closed" message carries the status: "closed" (counted) or "cancelled".
  function showClosed(status) {
    finished = true;
    if (!live) return;
    var ending = status === "cancelled" ? "cancelled" : "closed";
    live.hidden = false;
    live.classList.add("is-closed");
    live.textContent = "";
    var link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = live.getAttribute("data-" + ending + "-text") || ENDED[ending];
    live.appendChild(link);
  }

  function connect() {
    var socket = new WebSocket(url);
    socket.onopen = function () {
      delay = 1000;
    };
    socket.onmessage = function (message) {
      var data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data.type === "turnout" && Array.isArray(data.turnout)) showTurnout(data.turnout);
      if (data.type === "closed") {
        showClosed(data.status);
        socket.close();
      }
    };
    socket.onclose = function (event) {
      // Other 4xxx codes are final. 4503 means live updates are unavailable for now
      // (Redis down): come back, later and later, with jitter so that every open
      // page does not return at the same instant; the turnout comes on connecting.
      if (finished || (event.code >= 4000 && event.code < 5000 && event.code !== 4503)) return;
      delay = Math.min(delay * 2, 60000);
      window.setTimeout(connect, delay * (0.5 + Math.random() / 2));
    };
  }

  connect();
})();
