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

  // Show which chapter is playing.
  document.addEventListener("timeupdate", function (event) {
    var audio = event.target;
    var buttons = document.querySelectorAll('button[data-audio="' + audio.id + '"]');
    var current = null;
    buttons.forEach(function (button) {
      if (parseFloat(button.getAttribute("data-start")) <= audio.currentTime + 0.25) {
        current = button;
      }
    });
    buttons.forEach(function (button) {
      if (button === current) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
    });
  }, true);
})();
