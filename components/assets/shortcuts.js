() => {
  // Ctrl+Enter (Cmd+Enter on a Mac) runs from anywhere on the page, as on the HF widgets; Esc cancels
  // a run under way (the Cancel button is only pressed while a run is going, so Esc elsewhere is free).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented && event.target?.getAttribute?.("aria-expanded") !== "true") {
      // Cancel with nothing running changes nothing (the handler checks), so Esc may always press it.
      const cancel = document.querySelector("#cancel");
      if (cancel && !cancel.disabled) cancel.click();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const run = document.querySelector("#run");
      if (run && !run.disabled) {
        event.preventDefault();
        run.click();
      }
    }
  });
}
