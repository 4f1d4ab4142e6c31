() => {
  // Ctrl+Enter (Cmd+Enter on a Mac) runs from anywhere on the page, as on the HF widgets; Esc cancels
  // a run under way (the Cancel button is only pressed while a run is going, so Esc elsewhere is free).
  // On a narrow screen the answer is far below the Run button: once a run starts, bring the status line
  // (the answer follows right under it) into view.
  document.addEventListener("click", (event) => {
    if (!event.target?.closest?.("#run") || !window.matchMedia("(max-width: 760px)").matches) return;
    setTimeout(() => document.querySelector("#status")?.scrollIntoView({behavior: "smooth", block: "start"}), 150);
  });
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
        // In the model box, an id typed or pasted becomes the model only as the box is left: leave it,
        // let the page take the new value, then run (the run itself learns the model's task if its
        // details are not back from the Hub yet).
        const typing = document.activeElement?.closest?.("#model");
        if (typing) {
          document.activeElement.blur();
          setTimeout(() => run.click(), 0);
        } else {
          run.click();
        }
      }
    }
  });
}
