/* balado: "listen to this article" on a newsroom's page.
 * <div data-balado-player></div> <script async src="https://<podcast host>/embed.js"></script>
 * No framework, no build step: one small function per control. Nothing from the episode data or
 * the transcript is ever inserted as HTML (textContent only); no inline style, no eval. */
(function () {
  "use strict";
  if (window.baladoEmbed) return; // the tag pasted twice: one script is enough

  var script = document.currentScript;
  var BASE = new URL(".", script ? script.src : location.href).href;
  var CSS_URL = BASE + "embed.css";
  var HIGHLIGHT = "balado-reading"; // the ::highlight() name in embed.css
  var TRACKING = /^(utm_.*|at_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|twclid|yclid|xtor|xtref|_ga|_gl|ncid|ocid|cmpid|ito|sr_share)$/;
  var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
  var BACK = 15, AHEAD = 30;
  var players = [];

  // --- which episode ---------------------------------------------------------------------------
  // The article's address as the build wrote it (see the contract: both sides must agree).
  function normaliseUrl(href) {
    var url;
    try { url = new URL(href); } catch (error) { return null; }
    if (!/^https?:$/.test(url.protocol) || !url.hostname) return null;
    url.protocol = "https:"; // also drops a port that is https's default
    url.hash = "";
    url.pathname = url.pathname.replace(/\/+$/, "") || "/";
    var kept = url.search.slice(1).split("&").filter(function (pair) {
      return pair && !TRACKING.test(pair.split("=")[0].toLowerCase());
    });
    url.search = kept.length ? "?" + kept.join("&") : "";
    return url.href;
  }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function ror(x, n) { return (x >>> n) | (x << (32 - n)); }

  // SHA-256 for plain-http pages, where crypto.subtle does not exist (not a secure context).
  function sha256(bytes) {
    var k = [], h = [], n = 2, i, j;
    for (i = 0; i < 64; n++) { // the constants: fractions of the roots of the first primes
      for (j = 2; j * j <= n && n % j; j++);
      if (j * j > n) {
        if (i < 8) h[i] = (Math.pow(n, 1 / 2) * 4294967296) | 0;
        k[i++] = (Math.pow(n, 1 / 3) * 4294967296) | 0;
      }
    }
    var size = (bytes.length + 72) & ~63, m = new Uint8Array(size), view = new DataView(m.buffer);
    m.set(bytes);
    m[bytes.length] = 0x80;
    view.setUint32(size - 8, Math.floor(bytes.length / 536870912));
    view.setUint32(size - 4, bytes.length * 8 >>> 0);
    for (var at = 0, w = []; at < size; at += 64) {
      for (i = 0; i < 64; i++) {
        var a = w[i - 15], b = w[i - 2];
        w[i] = i < 16 ? view.getInt32(at + i * 4) : (w[i - 16] + (ror(a, 7) ^ ror(a, 18) ^ (a >>> 3)) +
          w[i - 7] + (ror(b, 17) ^ ror(b, 19) ^ (b >>> 10))) | 0;
      }
      var s = h.slice();
      for (i = 0; i < 64; i++) {
        var e = s[4], x = s[0];
        var t1 = (s[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & s[5]) ^ (~e & s[6])) + k[i] + w[i]) | 0;
        var t2 = ((ror(x, 2) ^ ror(x, 13) ^ ror(x, 22)) + ((x & s[1]) ^ (x & s[2]) ^ (s[1] & s[2]))) | 0;
        s.pop();
        s.unshift((t1 + t2) | 0);
        s[4] = (s[4] + t1) | 0;
      }
      for (i = 0; i < 8; i++) h[i] = (h[i] + s[i]) | 0;
    }
    var out = new DataView(new ArrayBuffer(32));
    h.forEach(function (word, index) { out.setInt32(index * 4, word); });
    return new Uint8Array(out.buffer);
  }

  function sha256Hex(text) {
    var bytes = new TextEncoder().encode(text);
    if (window.crypto && crypto.subtle) {
      return crypto.subtle.digest("SHA-256", bytes).then(function (d) { return hex(new Uint8Array(d)); });
    }
    return Promise.resolve(hex(sha256(bytes)));
  }

  function lookupName(url) {
    return sha256Hex(url).then(function (h) { return "embed/lookup/" + h.slice(0, 16) + ".json"; });
  }

  function pageUrl() {
    var link = document.querySelector('link[rel="canonical"]');
    return normaliseUrl((link && link.href) || location.href);
  }

  // The episode's data, or null: an article without an episode is the ordinary case (a 404).
  function loadEpisode(host) {
    var slug = host.getAttribute("data-balado-episode");
    var page = slug ? null : pageUrl();
    if (!slug && !page) return Promise.resolve(null); // a file: or data: page has no article URL
    var where = slug ? Promise.resolve("embed/" + encodeURIComponent(slug) + ".json") : lookupName(page);
    return where.then(function (name) {
      return fetch(BASE + name, { credentials: "omit" });
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      var usable = data && data.v === 1 && data.audio && (slug || data.url === page); // a hash clash is not ours
      return usable ? data : null;
    }).catch(function () { return null; });
  }

  // --- words and times -------------------------------------------------------------------------
  function clock(seconds) {
    var t = Math.max(0, Math.floor(seconds || 0)), h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function unit(n, word) { return n + " " + word + (n > 1 ? "s" : ""); }

  // "4 minutes 3 secondes": what a screen reader says for the slider.
  function spoken(seconds) {
    var t = Math.max(0, Math.floor(seconds || 0)), h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    var parts = [];
    if (h) parts.push(unit(h, "heure"));
    if (m) parts.push(unit(m, "minute"));
    if (s || !parts.length) parts.push(unit(s, "seconde"));
    return parts.join(" ");
  }

  function speedLabel(rate) { return String(rate).replace(".", ",") + "×"; }

  // --- the transcript and the article's text -------------------------------------------------
  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0", lrm: "", rlm: "" };

  function readVtt(text) {
    var cues = [];
    text.replace(/\r/g, "").split(/\n\s*\n/).forEach(function (block) {
      var lines = block.trim().split("\n");
      for (var i = 0; i < lines.length; i++) {
        var timing = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})\s+-->/.exec(lines[i]);
        if (!timing) continue;
        var words = lines.slice(i + 1).join(" ").replace(/<[^>]*>/g, "")
          .replace(/&(\w+);/g, function (all, name) { return name in ENTITIES ? ENTITIES[name] : all; }).trim();
        if (words) cues.push({ start: vttSeconds(timing[1]), text: words });
        return;
      }
    });
    return cues;
  }

  function vttSeconds(stamp) {
    return stamp.replace(",", ".").split(":").reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }

  var WORD = /[\p{L}\p{N}]/u, FOLDED = Object.create(null);

  // Letters and digits only, lower-cased, accents off: case, spaces, NBSP, quotes, apostrophes
  // and punctuation may differ between the page and the transcript. Cached: an article has few
  // distinct characters, and this runs for each of its characters.
  function fold(char) {
    var folded = FOLDED[char];
    if (folded === undefined) {
      folded = FOLDED[char] = WORD.test(char) ? char.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "") : "";
    }
    return folded;
  }

  function foldText(text) { return Array.prototype.map.call(text, fold).join(""); }

  // The article's text folded, with where each folded character comes from.
  function indexText(root) {
    var text = "", nodeOf = [], offset = [], nodes = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(node.parentNode.nodeName) ? 2 : 1; // reject : accept
      }
    });
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var data = node.data, n = nodes.push(node) - 1;
      for (var i = 0; i < data.length; i++) {
        var folded = fold(data[i]);
        for (var j = 0; j < folded.length; j++) {
          nodeOf.push(n);
          offset.push(i);
        }
        text += folded;
      }
    }
    return { text: text, node: nodeOf, offset: offset, nodes: nodes };
  }

  // Where a sentence is in the folded text: whole, else by its head and its tail (a word changed).
  function find(index, key, cursor) {
    var at = index.text.indexOf(key, cursor);
    if (at < 0) at = index.text.indexOf(key);
    if (at >= 0) return [at, at + key.length];
    if (key.length < 40) return null;
    var head = index.text.indexOf(key.slice(0, 20), cursor);
    var tail = head < 0 ? -1 : index.text.indexOf(key.slice(-20), head);
    return tail >= 0 && tail - head < key.length * 1.5 ? [head, tail + 20] : null;
  }

  function toRange(index, span) {
    var first = span[0], last = span[1] - 1;
    var endNode = index.nodes[index.node[last]], end = index.offset[last] + 1;
    while (end < endNode.data.length && /[^\s\p{L}\p{N}]/u.test(endNode.data[end])) end++; // the full stop too
    var range = document.createRange();
    range.setStart(index.nodes[index.node[first]], index.offset[first]);
    range.setEnd(endNode, end);
    return range;
  }

  // Each cue with the Range of the page's text it was written as (null when not on the page).
  function matchCues(root, cues) {
    var index = indexText(root), cursor = 0;
    return cues.map(function (cue) {
      var key = foldText(cue.text), span = key ? find(index, key, cursor) : null;
      if (span) cursor = span[1];
      return { start: cue.start, range: span ? toRange(index, span) : null };
    });
  }

  function articleRoot(host) {
    var selector = host.getAttribute("data-balado-article");
    var named = null;
    try { named = selector && document.querySelector(selector); } catch (error) { named = null; }
    return named || document.querySelector("article") || document.querySelector("main") || host.parentNode;
  }

  // --- read-along: the Custom Highlight API leaves the page's DOM alone -----------------------
  function highlightable() { return !!(window.CSS && CSS.highlights && window.Highlight); }

  function ReadAlong(player) {
    this.player = player;
    this.cues = null;
    this.current = -1;
  }

  ReadAlong.prototype.start = function () {
    var self = this, data = this.player.data;
    if (this.cues || !data.vtt) return;
    this.cues = [];
    fetch(new URL(data.vtt, BASE).href, { credentials: "omit" }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (text) {
      self.root = articleRoot(self.player.host);
      self.cues = matchCues(self.root, readVtt(text));
      self.root.addEventListener("click", function (event) { self.onClick(event); });
      self.update(self.player.audio.currentTime);
    }).catch(function () {});
  };

  ReadAlong.prototype.cueAt = function (time) {
    var found = -1;
    for (var i = 0; i < this.cues.length && this.cues[i].start <= time + 0.05; i++) found = i;
    return found;
  };

  ReadAlong.prototype.update = function (time) {
    if (!this.cues || !highlightable()) return;
    var now = this.cueAt(time);
    if (now === this.current) return;
    this.current = now;
    var range = now >= 0 && this.cues[now].range;
    if (range) CSS.highlights.set(HIGHLIGHT, new Highlight(range));
    else CSS.highlights.delete(HIGHLIGHT);
    if (range && this.player.host.hasAttribute("data-balado-follow")) follow(range, this.player.host);
  };

  // data-balado-follow (the iframe page): keep the sentence in view, below the sticky player.
  function follow(range, host) {
    var box = range.getBoundingClientRect(), player = host.getBoundingClientRect();
    var covered = player.top <= 1 ? player.bottom : 0; // stuck at the top, the player hides what is under it
    if (box.top >= covered && box.bottom <= innerHeight) return;
    var still = matchMedia("(prefers-reduced-motion: reduce)").matches, clear = player.height;
    scrollBy({ top: box.top - clear - (innerHeight - clear) / 3, behavior: still ? "auto" : "smooth" });
  }

  ReadAlong.prototype.stop = function () {
    if (highlightable() && this.current >= 0) CSS.highlights.delete(HIGHLIGHT);
    this.current = -1;
  };

  // A click in a paragraph plays from its first sentence (not a link, not a text selection).
  ReadAlong.prototype.onClick = function (event) {
    var target = event.target;
    if (!target.closest || target.closest("a, button, input, select, textarea, label, [data-balado-player]")) return;
    var selection = window.getSelection && getSelection();
    if (selection && !selection.isCollapsed) return;
    var block = target.closest("p, li, blockquote, h1, h2, h3, h4, h5, h6, figcaption, dd") || target;
    for (var i = 0; i < this.cues.length; i++) {
      var range = this.cues[i].range;
      if (range && block.contains(range.startContainer)) {
        this.player.seek(this.cues[i].start, true);
        return;
      }
    }
  };

  // --- the player --------------------------------------------------------------------------
  var MARKUP =
    '<div class="player" role="group">' +
    '<div class="top"><button type="button" class="play" aria-label="Écouter l’article">' +
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path class="icon-play" d="M8 5v14l11-7z"/>' +
    '<path class="icon-pause" d="M6 5h4v14H6zm8 0h4v14h-4z"/></svg></button>' +
    '<div class="heading"><p class="show"></p><p class="title"></p></div></div>' +
    '<div class="bar"><span class="elapsed">0:00</span>' +
    '<input class="seek" type="range" min="0" step="1" value="0" aria-label="Position dans l’article">' +
    '<span class="total"></span></div>' +
    '<div class="controls">' +
    '<button type="button" class="back" aria-label="Reculer de 15 secondes">−15 s</button>' +
    '<button type="button" class="ahead" aria-label="Avancer de 30 secondes">+30 s</button>' +
    '<label class="speed"><span class="name">Vitesse</span><select></select></label>' +
    '<label class="chapters"><span class="name">Chapitre</span><select></select></label></div>' +
    '<p class="note"><button type="button" class="resume" hidden></button><span class="disclosure"></span>' +
    '<a class="download" download>Télécharger</a></p>' +
    '<audio preload="none"></audio></div>';

  function Player(host, data) {
    this.host = host;
    this.data = data;
    this.key = "balado:position:" + data.slug;
    this.saved = 0;
    this.lastReport = -1;
    this.readAlong = new ReadAlong(this);
    this.render();
    this.wire();
    this.offerResume();
  }

  Player.prototype.render = function () {
    var root = this.host.shadowRoot || this.host.attachShadow({ mode: "open" });
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = CSS_URL;
    var box = document.createElement("div");
    box.innerHTML = MARKUP; // constant markup; the episode's words go in through textContent below
    var player = box.firstChild;
    // A shadow root's stylesheet does not hold back rendering: unstyled, the player would show
    // taller than the space the page reserved and push the article down. Shown once styled.
    player.hidden = true;
    var show = function () { player.hidden = false; };
    link.addEventListener("load", show, { once: true });
    link.addEventListener("error", show, { once: true });
    root.replaceChildren(link, player);
    var $ = this.$ = function (selector) { return root.querySelector(selector); };
    var data = this.data;
    $(".player").setAttribute("aria-label", "Écouter l’article : " + data.title);
    $(".show").textContent = data.show || "";
    $(".title").textContent = data.title;
    $(".total").textContent = clock(data.duration);
    $(".seek").max = String(Math.ceil(data.duration || 0));
    $(".download").href = data.download || data.audio;
    $(".disclosure").textContent = data.disclosure || "";
    this.audio = $("audio");
    this.audio.src = data.audio;
    this.fillSpeeds($(".speed select"));
    this.fillChapters($(".chapters select"));
    this.showTime(0);
  };

  Player.prototype.fillSpeeds = function (select) {
    SPEEDS.forEach(function (rate) { select.add(new Option(speedLabel(rate), String(rate), rate === 1, rate === 1)); });
  };

  Player.prototype.fillChapters = function (select) {
    var chapters = this.data.chapters || [];
    select.parentNode.hidden = chapters.length < 2;
    chapters.forEach(function (chapter, i) { select.add(new Option(clock(chapter.start) + " " + chapter.title, String(i))); });
  };

  Player.prototype.wire = function () {
    var self = this, $ = this.$, audio = this.audio;
    $(".play").addEventListener("click", function () { self.toggle(); });
    $(".back").addEventListener("click", function () { self.skip(-BACK); });
    $(".ahead").addEventListener("click", function () { self.skip(AHEAD); });
    $(".speed select").addEventListener("change", function (e) { self.speed(parseFloat(e.target.value)); });
    $(".chapters select").addEventListener("change", function (e) { self.chapter(parseInt(e.target.value, 10)); });
    $(".resume").addEventListener("click", function () { self.seek(self.saved, true); });
    this.wireSeek($(".seek"));
    ["play", "pause", "ended", "timeupdate", "ratechange", "seeked"].forEach(function (type) {
      audio.addEventListener(type, function () { self.on(type); });
    });
    window.addEventListener("pagehide", function () { self.remember(); });
  };

  // The slider: dragging seeks; arrows move 5 s and Page Up/Down 30 s (1 s steps are too fine).
  Player.prototype.wireSeek = function (slider) {
    var self = this, moves = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -AHEAD, PageUp: AHEAD };
    slider.addEventListener("input", function () { self.seek(parseFloat(slider.value), false); });
    slider.addEventListener("keydown", function (event) {
      if (!(event.key in moves)) return;
      event.preventDefault();
      self.skip(moves[event.key]);
    });
  };

  // The default rate too: load() (a seek before playing) resets the rate to it.
  Player.prototype.speed = function (rate) {
    this.audio.defaultPlaybackRate = this.audio.playbackRate = rate;
  };

  Player.prototype.toggle = function () {
    if (this.audio.paused) this.play(); else this.audio.pause();
  };

  Player.prototype.play = function () {
    var playing = this.audio.play();
    if (playing && playing.catch) playing.catch(function () {});
  };

  // Seek even before anything is loaded (preload="none": the position waits for the metadata).
  Player.prototype.seek = function (time, andPlay) {
    var self = this, audio = this.audio, to = Math.max(0, Math.min(time, this.duration() - 0.1));
    if (audio.readyState >= 1) audio.currentTime = to;
    else {
      if (this.pending === undefined) {
        audio.addEventListener("loadedmetadata", function () {
          audio.currentTime = self.pending;
          self.pending = undefined;
        }, { once: true });
      }
      this.pending = to; // a second skip before the metadata adds to the first
      if (!andPlay) {
        audio.preload = "metadata"; // load() alone stops short of the metadata under preload="none"
        audio.load();
      }
    }
    this.showTime(to);
    if (andPlay) this.play();
  };

  Player.prototype.position = function () {
    return this.pending === undefined ? this.audio.currentTime : this.pending;
  };

  Player.prototype.skip = function (delta) { this.seek(this.position() + delta, !this.audio.paused); };

  Player.prototype.duration = function () {
    return isFinite(this.audio.duration) && this.audio.duration > 0 ? this.audio.duration : this.data.duration || 0;
  };

  Player.prototype.chapter = function (i) {
    var chapters = this.data.chapters || [];
    if (chapters[i]) this.seek(chapters[i].start, true);
  };

  Player.prototype.chapterAt = function (time) {
    var chapters = this.data.chapters || [], found = 0;
    chapters.forEach(function (chapter, i) { if (chapter.start <= time + 0.25) found = i; });
    return found;
  };

  // As a CD player does: back to the start of this chapter, or to the previous one from its first seconds.
  Player.prototype.previousChapter = function () {
    var time = this.position(), i = this.chapterAt(time), chapters = this.data.chapters || [];
    return chapters[i] && time - chapters[i].start > 3 ? i : i - 1;
  };

  Player.prototype.showTime = function (time) {
    var $ = this.$, slider = $(".seek");
    $(".elapsed").textContent = clock(time);
    slider.value = String(Math.floor(time));
    slider.setAttribute("aria-valuetext", spoken(time) + " sur " + spoken(this.duration()));
    var select = $(".chapters select");
    if (select.options.length) select.selectedIndex = this.chapterAt(time);
  };

  Player.prototype.on = function (type) {
    var audio = this.audio, time = audio.currentTime;
    if (type === "play") this.started();
    if (type === "pause" || type === "ended") {
      this.$(".player").classList.remove("playing");
      this.$(".play").setAttribute("aria-label", "Reprendre la lecture");
    }
    if (type === "pause") this.remember();
    if (navigator.mediaSession && type !== "timeupdate") navigator.mediaSession.playbackState = audio.paused ? "paused" : "playing";
    if (type === "ended") this.forget();
    if (type === "timeupdate" || type === "seeked") {
      this.showTime(time);
      this.readAlong.update(time);
      this.progress(time);
    }
    if (type === "timeupdate" && Math.abs(time - this.saved) >= 5) this.remember();
    mediaPosition(this);
    if (type !== "timeupdate" && type !== "ratechange" && type !== "seeked") this.emit(type);
  };

  Player.prototype.started = function () {
    var self = this;
    players.forEach(function (other) { if (other !== self) other.audio.pause(); }); // one at a time
    this.$(".player").classList.add("playing");
    this.$(".play").setAttribute("aria-label", "Mettre en pause");
    this.$(".resume").hidden = true;
    this.$(".disclosure").hidden = false;
    highlightStyles();
    this.readAlong.start();
    mediaSession(this);
  };

  // balado:progress about every 5 s of listening, for a newsroom's own analytics.
  Player.prototype.progress = function (time) {
    var step = Math.floor(time / 5);
    if (step === this.lastReport || this.audio.paused) return;
    this.lastReport = step;
    this.emit("progress");
  };

  Player.prototype.emit = function (type) {
    this.host.dispatchEvent(new CustomEvent("balado:" + type, {
      bubbles: true,
      detail: { slug: this.data.slug, currentTime: this.audio.currentTime, duration: this.duration() }
    }));
  };

  // --- remembering where the reader stopped (localStorage may be refused: then nothing) ------
  Player.prototype.remember = function () {
    var time = this.audio.currentTime;
    if (time < 5 || time > this.duration() - 5) return;
    this.saved = time;
    try { localStorage.setItem(this.key, String(Math.floor(time))); } catch (error) { /* storage off */ }
  };

  Player.prototype.forget = function () {
    this.saved = 0;
    try { localStorage.removeItem(this.key); } catch (error) { /* storage off */ }
  };

  Player.prototype.offerResume = function () {
    var time = 0;
    try { time = parseFloat(localStorage.getItem(this.key)) || 0; } catch (error) { time = 0; }
    if (time < 5 || time > this.duration() - 5) return;
    this.saved = time;
    var button = this.$(".resume");
    button.textContent = "Reprendre à " + clock(time) + " ?";
    button.setAttribute("aria-label", "Reprendre la lecture à " + spoken(time));
    button.hidden = false;
    this.$(".disclosure").hidden = true; // the offer takes the note's line: no shift
  };

  // --- Media Session: the lock screen and the headset's buttons --------------------------------
  function mediaSession(player) {
    if (!("mediaSession" in navigator)) return;
    var data = player.data, session = navigator.mediaSession;
    try {
      session.metadata = new MediaMetadata({
        title: data.title, artist: data.show || "", album: data.show || "",
        artwork: data.image ? [{ src: new URL(data.image, BASE).href }] : []
      });
    } catch (error) { /* an old MediaMetadata */ }
    var actions = {
      play: function () { player.play(); },
      pause: function () { player.audio.pause(); },
      seekbackward: function (d) { player.skip(-(d.seekOffset || BACK)); },
      seekforward: function (d) { player.skip(d.seekOffset || AHEAD); },
      seekto: function (d) { player.seek(d.seekTime, !player.audio.paused); },
      previoustrack: function () { player.chapter(player.previousChapter()); },
      nexttrack: function () { player.chapter(player.chapterAt(player.audio.currentTime) + 1); }
    };
    Object.keys(actions).forEach(function (name) {
      try { session.setActionHandler(name, actions[name]); } catch (error) { /* unsupported action */ }
    });
  }

  function mediaPosition(player) {
    var session = navigator.mediaSession, audio = player.audio, duration = player.duration();
    if (!session || !session.setPositionState || player.audio.paused && audio.currentTime === 0 || !duration) return;
    try {
      session.setPositionState({ duration: duration, playbackRate: audio.playbackRate,
        position: Math.min(audio.currentTime, duration) });
    } catch (error) { /* a duration the browser refuses */ }
  }

  // The ::highlight() rule must live in the host document: embed.css once more, where every rule
  // but that one is scoped to :host and so matches nothing of the page.
  function highlightStyles() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) if (links[i].href === CSS_URL) return; // already there (the iframe page)
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = CSS_URL;
    link.setAttribute("data-balado-styles", "");
    document.head.appendChild(link);
  }

  // --- start: nothing is fetched until the reader comes near the player -------------------------
  function mount(host) {
    if (host.hasAttribute("data-balado-state")) return;
    host.setAttribute("data-balado-state", "loading");
    loadEpisode(host).then(function (data) {
      host.setAttribute("data-balado-state", data ? "ready" : "none");
      if (data) players.push(new Player(host, data));
    });
  }

  function watch(hosts) {
    if (!("IntersectionObserver" in window)) return hosts.forEach(mount);
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        mount(entry.target);
      });
    }, { rootMargin: "600px 0px" });
    hosts.forEach(function (host) { observer.observe(host); });
  }

  function init() {
    watch(Array.prototype.slice.call(document.querySelectorAll("[data-balado-player]")));
  }

  window.baladoEmbed = { normaliseUrl: normaliseUrl, lookupName: lookupName, sha256Hex: sha256Hex, sha256: sha256, hex: hex };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
