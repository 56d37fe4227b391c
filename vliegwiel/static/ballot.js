/* The running total of a budget ballot: what the ticked ideas cost together and what is left
   of the budget, updated at every tick. Progressive enhancement only: without this script
   the "Bereken" button asks the server for the same figures (and never casts the vote).
   The server always checks the ballot against the budget itself. No third-party code. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-ballot-budget]");
  if (!form) { return; }
  var budget = parseInt(form.getAttribute("data-ballot-budget"), 10);
  var lang = document.documentElement.lang || "nl";
  var digits = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[data-cost]"));

  function money(amount) {
    // The server writes "€ 1.200"; a no-break space keeps the sign with its amount.
    return "\u20ac\u00a0" + digits.format(amount);
  }

  function show(selector, text) {
    var node = form.querySelector(selector);
    if (node) { node.textContent = text; }
  }

  function update() {
    var total = 0;
    boxes.forEach(function (box) {
      if (box.checked) { total += parseInt(box.getAttribute("data-cost"), 10) || 0; }
    });
    show("[data-ballot-total]", money(total));
    show("[data-ballot-left-amount]", money(Math.max(budget - total, 0)));
    show("[data-ballot-over-amount]", money(Math.max(total - budget, 0)));
    form.querySelector("[data-ballot-left]").hidden = total > budget;
    form.querySelector("[data-ballot-over]").hidden = total <= budget;
  }

  // Live figures make the button and its explanation unnecessary.
  ["[data-ballot-button]", "[data-ballot-button-help]"].forEach(function (selector) {
    var node = form.querySelector(selector);
    if (node) { node.hidden = true; }
  });
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
}());
