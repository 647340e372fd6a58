// The contribution calculator answers as you type: it asks the server for the same
// answer the page gives after a plain GET (membership:calculate), so the band rules
// live in one place. Without this script the form's "Calculate" button does the same.
(function () {
  "use strict";
  var section = document.querySelector("[data-calculator-url]");
  if (!section || !window.fetch) return;
  var form = section.querySelector("form");
  var url = section.getAttribute("data-calculator-url");
  var timer = null;
  var latest = 0;

  function update() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var ticket = ++latest;
    fetch(url + "?" + query, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== latest) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#calculator-result");
        var current = section.querySelector("#calculator-result");
        if (fresh && current) current.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the button still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
})();
