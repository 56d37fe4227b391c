/* Same-page conditions (GOV.UK "conditional reveal"): hide a question until the answer it
   depends on is given. Progressive enhancement only: without this script every question
   shows with a hint, and the server drops answers that do not apply. No third-party code. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-reveal-form]");
  if (!form) { return; }
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-reveal]"));

  function values(name) {
    var found = [];
    var fields = form.querySelectorAll("[name]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.name !== name || field.closest("[hidden]")) { continue; }
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) { found.push(field.value); }
      } else if (field.value.trim() !== "") {
        found.push(field.value.trim());
      }
    }
    return found;
  }

  function holds(c) {
    if (Object.prototype.hasOwnProperty.call(c, "const")) { return c["const"]; }
    if (c.all) { return c.all.every(holds); }
    if (c.any) { return c.any.some(holds); }
    if (c.not) { return !holds(c.not); }
    var given = values(c.name);
    var one = given.length === 1 ? given[0] : null;
    switch (c.op) {
      case "answered": return (given.length > 0) === Boolean(c.value);
      case "equals": return one === c.value;
      case "not_equals": return one !== c.value;
      case "in": return given.some(function (v) { return c.value.indexOf(v) >= 0; });
      case "contains": return given.indexOf(c.value) >= 0;
      case "gte":
      case "lte":
        if (one === null) { return false; }
        // As the server reads numbers: with a comma, dots group thousands ("1.250,5").
        var text = one.replace(/\s/g, "");
        if (text.indexOf(",") >= 0) { text = text.replace(/\./g, "").replace(",", "."); }
        var n = parseFloat(text);
        if (isNaN(n)) { return false; }
        return c.op === "gte" ? n >= c.value : n <= c.value;
    }
    return false;
  }

  function update() {
    // In document order, so a question hidden above no longer counts for one below it.
    blocks.forEach(function (block) {
      block.hidden = !holds(JSON.parse(block.getAttribute("data-reveal")));
    });
  }

  document.documentElement.classList.add("js-reveal");
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
