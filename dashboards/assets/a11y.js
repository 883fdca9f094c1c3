// Accessibility repairs for two Dash 4 components, applied to the DOM as React renders it.
// (Served from the assets folder like every dashboard script; the CSP needs no change.)
//
// - Dropdowns put keyboard focus on a hidden, aria-hidden <input> that forwards it to the real
//   button (which has tabindex -1): screen readers then meet a focusable hidden element. The
//   button is the control, so it takes the tab stop and the hidden input leaves the tab order.
// - The date-range picker's wrapper <div> carries aria-expanded / aria-haspopup, attributes a
//   div without a role may not have; its two inputs are the controls, so the wrapper becomes a
//   labelled group.
(function () {
  "use strict";

  function set(element, name, value) {
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  function repair(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
      set(target, "tabindex", "-1");
      var button = target.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled) set(button, "tabindex", "0");
    });
    root.querySelectorAll(".dash-datepicker-input-wrapper").forEach(function (wrapper) {
      ["aria-expanded", "aria-haspopup", "aria-disabled", "type"].forEach(function (name) {
        if (wrapper.hasAttribute(name)) wrapper.removeAttribute(name);
      });
      set(wrapper, "role", "group");
    });
  }

  // Observer callbacks run before the next paint, so the old attributes are never shown.
  new MutationObserver(function () { repair(document); }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["tabindex", "aria-expanded", "aria-haspopup", "aria-disabled", "type"],
  });
  document.addEventListener("DOMContentLoaded", function () { repair(document); });
})();
