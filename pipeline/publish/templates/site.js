(function () {
  "use strict";

  // Seek a player that may not have loaded anything yet (preload="none").
  function seek(audio, start) {
    function go() {
      audio.currentTime = start;
      var playing = audio.play();
      if (playing && playing.catch) {
        playing.catch(function () {});
      }
    }
    if (audio.readyState >= 1) {
      go();
    } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      audio.preload = "metadata";
      audio.load();
    }
  }

  function copyFeed(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector(".copy-status");
    function done() {
      status.textContent = button.getAttribute("data-done") || "Adresse copiée.";
    }
    function fallback() {
      input.focus();
      input.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      if (copied) {
        done();
      } else {
        status.textContent = "L’adresse est sélectionnée : copiez-la avec votre clavier.";
      }
    }
    // The clipboard API exists only on https or localhost; a phone on the LAN uses the fallback.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("click", function (event) {
    var chapter = event.target.closest("button[data-start]");
    if (chapter) {
      var audio = document.getElementById(chapter.getAttribute("data-audio"));
      if (audio) {
        seek(audio, parseFloat(chapter.getAttribute("data-start")));
      }
      return;
    }
    var cue = event.target.closest(".transcript .cue");
    if (cue && window.getSelection().isCollapsed) {  // selecting text to copy it is not a click
      var section = cue.closest(".transcript");
      var player = document.getElementById(section.getAttribute("data-audio"));
      if (player) {
        seek(player, parseFloat(cue.getAttribute("data-start")));
      }
      return;
    }
    var copy = event.target.closest("button[data-copy]");
    if (copy) {
      copyFeed(copy);
    }
  });

  // One episode at a time.
  document.addEventListener("play", function (event) {
    document.querySelectorAll("audio").forEach(function (other) {
      if (other !== event.target) {
        other.pause();
      }
    });
  }, true);

  // Mark, among elements with a data-start, the last one that has started.
  function markCurrent(elements, time) {
    var current = null;
    elements.forEach(function (element) {
      if (parseFloat(element.getAttribute("data-start")) <= time) {
        current = element;
      }
    });
    elements.forEach(function (element) {
      if (element === current) {
        element.setAttribute("aria-current", "true");
      } else {
        element.removeAttribute("aria-current");
      }
    });
  }

  // Show which chapter is playing, and in the transcript the sentence being spoken.
  function follow(event) {
    var audio = event.target;
    markCurrent(document.querySelectorAll('button[data-audio="' + audio.id + '"]'), audio.currentTime + 0.25);
    markCurrent(document.querySelectorAll('.transcript[data-audio="' + audio.id + '"] .cue'), audio.currentTime + 0.05);
  }
  document.addEventListener("timeupdate", follow, true);
  document.addEventListener("seeked", follow, true);
})();
