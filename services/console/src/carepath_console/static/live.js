// The worklist's live rows: server-sent events from /worklist/live carry rows the server
// rendered (HTML escaped there); new reviews go in urgency/respond-by order, alerts on top.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var source = new EventSource("/worklist/live");
  function say(text) { if (status) { status.textContent = text; } }
  source.onopen = function () { say("live"); document.body.dataset.live = "open"; };
  source.onerror = function () { say("live updates reconnecting…"); document.body.dataset.live = "retrying"; };
  function rowOf(html) {
    var body = document.createElement("tbody");
    body.innerHTML = html;
    return body.firstElementChild;
  }
  function count() {
    var counter = document.getElementById("reviews-count");
    if (counter) { counter.textContent = document.querySelectorAll("#reviews tr").length; }
    var empty = document.getElementById("reviews-empty");
    if (empty) { empty.hidden = document.querySelectorAll("#reviews tr").length > 0; }
  }
  source.addEventListener("review", function (message) {
    var data = JSON.parse(message.data);
    var row = rowOf(data.html);
    row.dataset.rank = data.rank;
    row.dataset.respondBy = data.respond_by;
    var old = document.getElementById(data.key);
    if (old) { old.remove(); }
    var table = document.getElementById("reviews");
    var before = null;
    table.querySelectorAll("tr").forEach(function (other) {
      if (before) { return; }
      var rank = Number(other.dataset.rank), by = other.dataset.respondBy || "";
      if (rank > data.rank || (rank === data.rank && by.slice(0, 19) > data.respond_by.slice(0, 19))) { before = other; }
    });
    table.insertBefore(row, before);
    count();
  });
  source.addEventListener("resolved", function (message) {
    var old = document.getElementById(JSON.parse(message.data).key);
    if (old) { old.remove(); }
    count();
  });
  source.addEventListener("alert", function (message) {
    var data = JSON.parse(message.data);
    var row = rowOf(data.html);
    row.id = data.key;
    var table = document.getElementById("alerts");
    table.insertBefore(row, table.firstElementChild);
  });
})();
