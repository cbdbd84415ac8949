/* Copy buttons beside the transfer details (bank, account, holder, amount, note). Without this file the
   buttons stay hidden and the values are plain text that one tap selects. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  if (!buttons.length) return;

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Older phones and pages served over plain http have no asynchronous clipboard: copy a selection instead.
  function copyBySelection(value) {
    var buffer = document.createElement("textarea");
    buffer.value = value;
    buffer.setAttribute("readonly", "");
    buffer.className = "copy-buffer";
    document.body.appendChild(buffer);
    buffer.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    document.body.removeChild(buffer);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(value) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(value).catch(function () { return copyBySelection(value); });
    }
    return copyBySelection(value);
  }

  buttons.forEach(function (button) {
    var section = button.closest("[data-transfer]");
    var status = section && section.querySelector("[data-copy-status]");
    var value = button.parentElement.querySelector(".pay-value");
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button.dataset.copy).then(function () {
        button.textContent = status ? status.dataset.copied : label;
        button.classList.add("is-copied");
        if (status) status.textContent = status.dataset.copied + ": " + button.dataset.copy;
        window.setTimeout(function () { button.textContent = label; button.classList.remove("is-copied"); }, 2000);
      }, function () {
        if (value) selectText(value);
        if (status) status.textContent = status.dataset.failed;
      });
    });
  });
})();
