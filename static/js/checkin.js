// The check-in page: scan with the camera or type a name, see the answer, undo, work offline.
//
// Every scan gets a random id here and goes into a queue kept in localStorage
// (the id, the door, what the badge said and when: no names). The queue is
// sent to the server at once when online, and when the connection returns
// otherwise; the server records each id once, so sending twice is harmless.
// Answers (names, sessions) are shown and kept in this page only.
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  var doorSelect = document.getElementById("door");
  if (!root || !doorSelect) { return; }

  var QUEUE_KEY = "socex-checkin-queue";
  var DOOR_KEY = "socex-checkin-door";
  var BATCH = 50;
  var urls = root.dataset;
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  var $ = function (id) { return document.getElementById(id); };
  var resultBox = $("result");
  var undoButton = $("undo");
  var connection = $("connection");
  var recent = $("recent");
  var lastScanId = null;
  var lastAnswer = null;
  var sending = false;
  var signedOut = "";
  var conflicts = 0;
  // What to call each scan in Recent scans when the answer has no name (a badge nobody holds, a
  // scan refused): the name chosen in the search, else that it was a badge. Kept in this page only.
  var labels = {};

  // --- The queue -----------------------------------------------------------
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch (e) { return []; }
  }
  function saveQueue(queue) { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); }
  function isQueued(id) { return loadQueue().some(function (item) { return item.id === id; }); }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(readAnswer);
  }
  function readAnswer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (response.status === 403 && body.error === "signed_out") {
        signedOut = body.message;
        throw { signedOut: true };
      }
      if (!response.ok) { throw { refused: body.message || "The server refused that." }; }
      return body;
    });
  }

  function scan(reference, label) {
    reference = (reference || "").trim().slice(0, 64);
    if (!reference) { return; }
    var item = { id: newId(), door: doorSelect.value, reference: reference, at: new Date().toISOString() };
    labels[item.id] = label || "Scanned badge";
    var queue = loadQueue();
    queue.push(item);
    saveQueue(queue);
    lastScanId = item.id;
    addRecent(item.id, "queued", "Waiting to send", "");
    if (signedOut) {
      showSignedOut(item.id);
    } else if (navigator.onLine) {
      show({ id: item.id, tone: "sending", headline: "Checking…", message: "" }, false);
    } else {
      showQueued(item.id);
    }
    flush();
  }

  function showQueued(id) {
    show({
      id: id, tone: "queued", headline: "Saved on this phone",
      message: "No connection: this scan will be checked when the connection returns.",
      queued: true
    }, true);
  }

  function showSignedOut(id) {
    show({ id: id, tone: "red", headline: "Signed out: not sent", message: signedOut, queued: true }, true);
  }

  function flush() {
    var queue = loadQueue();
    updateConnection();
    if (sending || !queue.length || signedOut || !navigator.onLine) { return; }
    sending = true;
    var batch = queue.slice(0, BATCH);
    var offlineIds = {};
    batch.forEach(function (item) { offlineIds[item.id] = item.id !== lastScanId; });
    post(urls.scansUrl, { scans: batch }).then(function (body) {
      var answered = {};
      body.results.forEach(function (result) {
        answered[result.id] = true;
        handleResult(result, offlineIds[result.id]);
      });
      saveQueue(loadQueue().filter(function (item) { return !answered[item.id]; }));
      sending = false;
      updateConnection();
      refreshDoor();
      if (loadQueue().length) { flush(); }
    }).catch(function (problem) {
      sending = false;
      if (problem && problem.refused) {
        // The whole batch was refused as malformed: nothing was recorded; drop it and say so.
        saveQueue(loadQueue().filter(function (item) { return !batch.some(function (b) { return b.id === item.id; }); }));
        batch.forEach(function (item) {
          addRecent(item.id, "red", "Not recorded", recentDetail({ id: item.id, message: problem.refused }));
        });
        show({ id: lastScanId, tone: "red", headline: "Not recorded", message: problem.refused }, true);
      } else if (problem && problem.signedOut) {
        showSignedOut(lastScanId);
      } else if (lastScanId && isQueued(lastScanId)) {
        showQueued(lastScanId);
      }
      updateConnection();
    });
  }

  function handleResult(result, wasOffline) {
    if (result.error) {
      result = { id: result.id, tone: "red", headline: "Not recorded", message: result.error };
    }
    addRecent(result.id, result.tone, result.headline, recentDetail(result));
    if (wasOffline && result.tone !== "green") {
      conflicts += 1;
    }
    if (result.id === lastScanId) {
      show(result, true);
    }
  }

  // Who a scan was and what it said, for Recent scans: never an empty part.
  function recentDetail(result) {
    var who = result.badge_name || result.name || labels[result.id] || "";
    return [who, result.message].filter(Boolean).join(" · ");
  }

  // --- Showing an answer ---------------------------------------------------
  // Characters every phone's fonts have; "queued" is drawn (an hourglass emoji is an empty box
  // where no emoji font is installed).
  var ICONS = { green: "✓", amber: "!", red: "✕", sending: "…", undone: "↶", idle: "" };
  var SVG = "http://www.w3.org/2000/svg";

  function hourglass() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "1em");
    svg.setAttribute("height", "1em");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "result-icon-drawn");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", "M6 2.5h12M6 21.5h12M7.5 2.5c0 5 4.5 6.5 4.5 9.5s-4.5 4.5-4.5 9.5M16.5 2.5c0 5-4.5 6.5-4.5 9.5s4.5 4.5 4.5 9.5M9.5 19.5h5");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    svg.appendChild(path);
    return svg;
  }

  function show(answer, speakIt) {
    lastAnswer = answer;
    var tone = answer.tone || "idle";
    resultBox.className = "result result-" + tone;
    var icon = $("result-icon");
    icon.textContent = ICONS[tone] || "";
    if (tone === "queued") { icon.appendChild(hourglass()); }
    $("result-headline").textContent = answer.headline || "";
    $("result-name").textContent = answer.name
      ? answer.name + (answer.badge_name && answer.badge_name !== answer.name ? " (" + answer.badge_name + ")" : "")
      : "";
    $("result-agency").textContent = answer.agency || "";
    $("result-message").textContent = answer.message || "";
    var list = $("result-sessions");
    list.textContent = "";
    (answer.sessions || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    list.hidden = !(answer.sessions && answer.sessions.length);
    undoButton.hidden = !(answer.undoable || answer.queued);
    undoButton.textContent = answer.queued ? "Do not send this scan" : "Undo this scan";
    if (speakIt) { speak(answer); }
  }

  function speak(answer) {
    if (!$("speak").checked || !window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    window.speechSynthesis.cancel();
    var words = [answer.headline, answer.name, answer.message].filter(Boolean).join(". ");
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(words));
  }

  function addRecent(id, tone, headline, detail) {
    var item = recent.querySelector("[data-id='" + id + "']");
    if (!item) {
      item = document.createElement("li");
      item.dataset.id = id;
      recent.insertBefore(item, recent.firstChild);
      while (recent.children.length > 20) { recent.removeChild(recent.lastChild); }
    }
    item.className = "recent-item recent-" + tone;
    var time = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    item.textContent = time + " · " + headline + (detail ? " · " + detail : "");
  }

  undoButton.addEventListener("click", function () {
    if (!lastAnswer) { return; }
    var id = lastAnswer.id;
    if (isQueued(id)) {
      saveQueue(loadQueue().filter(function (item) { return item.id !== id; }));
      addRecent(id, "undone", "Not sent", recentDetail({ id: id }));
      show({ id: id, tone: "undone", headline: "Scan removed", message: "It will not be sent." }, true);
      updateConnection();
      return;
    }
    if (!navigator.onLine) {
      show({ id: id, tone: "red", headline: "Undo needs a connection", message: "Try again when the connection returns." }, true);
      return;
    }
    post(urls.undoUrl, { id: id }).then(function (answer) {
      answer.tone = "undone";
      answer.headline = "Scan undone";
      answer.undoable = false;
      answer.sessions = [];
      addRecent(id, "undone", "Undone", recentDetail({ id: id, badge_name: answer.badge_name }));
      lastCode = "";
      show(answer, true);
      refreshDoor();
    }).catch(function (problem) {
      show({ id: id, tone: "red", headline: "Could not undo", message: problem.refused || signedOut || "No connection." }, true);
    });
  });

  function updateConnection() {
    var waiting = loadQueue().length;
    var text;
    if (signedOut) {
      text = signedOut + (waiting ? " " + waiting + " scans are saved on this phone." : "");
    } else if (!navigator.onLine) {
      text = "Offline. " + (waiting ? waiting + (waiting === 1 ? " scan is" : " scans are") + " saved on this phone and will be sent when the connection returns." : "Scans are saved on this phone until the connection returns.");
    } else if (waiting) {
      text = "Online: sending " + waiting + " saved " + (waiting === 1 ? "scan" : "scans") + "…";
    } else {
      text = "Online." + (conflicts ? " " + conflicts + " of the scans sent after reconnecting " + (conflicts === 1 ? "needs" : "need") + " attention: see Recent scans." : "");
    }
    if (connection.textContent !== text) { connection.textContent = text; }
    connection.className = "connection" + (signedOut || !navigator.onLine ? " connection-offline" : "");
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", updateConnection);
  window.setInterval(flush, 10000);

  // --- The door --------------------------------------------------------------
  // The door this phone chose last, if it is one of today's (or no door is today's): a phone
  // used yesterday must not start on yesterday's door, whose scans the server refuses.
  var options = Array.prototype.slice.call(doorSelect.options);
  var stored = localStorage.getItem(DOOR_KEY);
  var storedOption = options.filter(function (option) { return option.value === stored; })[0];
  var todays = options.some(function (option) { return option.dataset.day === urls.today; });
  if (storedOption && (storedOption.dataset.day === urls.today || !todays)) { doorSelect.value = stored; }
  doorSelect.addEventListener("change", function () {
    localStorage.setItem(DOOR_KEY, doorSelect.value);
    $("standby-note").textContent = "";
    lastCode = "";
    show({ tone: "idle", headline: "Ready to scan", message: "Door: " + doorSelect.options[doorSelect.selectedIndex].text }, false);
    refreshDoor();
  });

  function refreshDoor() {
    if (!navigator.onLine || signedOut) { return; }
    fetch(urls.doorUrl + "?" + new URLSearchParams({ door: doorSelect.value }), { credentials: "same-origin" })
      .then(readAnswer)
      .then(showDoor)
      .catch(function () {});
  }
  function showDoor(figures) {
    $("door-figures").textContent = figures.arrived + " of " + figures.expected + " expected have arrived" +
      (figures.no_shows ? "; " + figures.no_shows + " not arrived anywhere today" : "") + ".";
    var panel = $("standby-panel");
    panel.hidden = doorSelect.value.indexOf("session:") !== 0;
    // The heading and its list when someone waits; "Nobody is on standby." otherwise, never both.
    var list = $("standby-list");
    list.textContent = "";
    figures.standby.forEach(function (name) {
      var li = document.createElement("li");
      li.textContent = name;
      list.appendChild(li);
    });
    var waiting = figures.standby.length > 0;
    $("standby-queue").hidden = !waiting;
    $("standby-empty").hidden = waiting;
    $("standby-seat").disabled = !waiting;
    var release = $("standby-release");
    release.textContent = figures.release_at ? "No-shows' seats can be released from " + figures.release_at + "." : "";
    release.hidden = !figures.release_at;
  }
  $("standby-seat").addEventListener("click", function () {
    post(urls.standbyUrl, { door: doorSelect.value }).then(function (answer) {
      $("standby-note").textContent = answer.seated.length
        ? "Seated: " + answer.seated.join(", ") + (answer.released ? " (" + answer.released + " in no-shows' seats)." : ".")
        : "Nobody could be seated: no free places.";
      showDoor(answer);
    }).catch(function (problem) {
      $("standby-note").textContent = (problem && problem.refused) || signedOut || "No connection.";
    });
  });

  // --- Typed search ------------------------------------------------------------
  var search = $("search");
  var searchStatus = $("search-status");
  var searchResults = $("search-results");
  var timer = null;
  function runSearch() {
    var text = search.value.trim();
    searchResults.textContent = "";
    if (text.length < 2) { searchStatus.textContent = text ? "Type at least 2 letters." : ""; return; }
    if (!navigator.onLine) { searchStatus.textContent = "Finding a name needs a connection: scan the badge instead."; return; }
    fetch(urls.searchUrl + "?" + new URLSearchParams({ door: doorSelect.value, q: text }), { credentials: "same-origin" })
      .then(readAnswer)
      .then(function (body) {
        if (search.value.trim() !== text) { return; }
        searchStatus.textContent = body.results.length ? body.results.length + (body.results.length === 1 ? " match: choose to check in." : " matches: choose one to check in.") : "Nobody expected today matches “" + text + "”.";
        body.results.forEach(function (person) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-outline-dark btn-lg w-100 text-start mb-2";
          var strong = document.createElement("strong");
          strong.textContent = person.badge_name;
          button.appendChild(strong);
          button.appendChild(document.createElement("br"));
          button.appendChild(document.createTextNode(person.name + " · " + person.agency));
          button.setAttribute("aria-label", "Check in " + person.name + ", " + person.agency);
          button.addEventListener("click", function () {
            search.value = "";
            searchResults.textContent = "";
            searchStatus.textContent = "";
            scan(person.reference, person.badge_name || person.name);
            resultBox.focus();
          });
          li.appendChild(button);
          searchResults.appendChild(li);
        });
      })
      .catch(function (problem) { searchStatus.textContent = (problem && problem.refused) || signedOut || "No connection."; });
  }
  search.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(runSearch, 300); });
  $("search-form").addEventListener("submit", function (event) { event.preventDefault(); window.clearTimeout(timer); runSearch(); });

  // --- The camera ----------------------------------------------------------------
  var video = $("camera");
  var cameraButton = $("camera-toggle");
  var cameraStatus = $("camera-status");
  var stream = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var lastCode = "";
  var lastCodeAt = 0;

  function chooseDecoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") !== -1) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return "the browser's barcode detector";
        }
        return loadDecoder();
      }).catch(loadDecoder);
    }
    return loadDecoder();
  }
  function loadDecoder() {
    if (window.jsQR) { return Promise.resolve("the built-in decoder"); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = urls.decoderUrl;
      script.onload = function () { resolve("the built-in decoder"); };
      script.onerror = function () { decoderReady = null; reject(new Error("decoder")); };
      document.head.appendChild(script);
    });
  }
  function found(code) {
    code = (code || "").trim();
    var now = Date.now();
    if (!code) { return; }
    // A badge held in view is read once: it must leave the camera for 5 seconds to be read again
    // (a second read of a refused badge was a second scan, listed twice).
    var seen = code === lastCode && now - lastCodeAt < 5000;
    lastCode = code;
    lastCodeAt = now;
    if (seen) { return; }
    if (navigator.vibrate) { navigator.vibrate(60); }
    scan(code);
  }
  function decodeFrame() {
    if (!stream) { return; }
    var next = function () { window.setTimeout(decodeFrame, 150); };
    if (video.readyState < 2 || !video.videoWidth) { next(); return; }
    if (detector) {
      detector.detect(video).then(function (codes) { if (codes.length) { found(codes[0].rawValue); } }).catch(function () {}).then(next);
      return;
    }
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (code) { found(code.data); }
    next();
  }
  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraStatus.textContent = "This browser cannot use the camera here: find the name instead.";
      return;
    }
    cameraStatus.textContent = "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play();
      })
      .then(function () { return decoderReady || (decoderReady = chooseDecoder()); })
      .then(function (how) {
        cameraButton.textContent = "Stop camera";
        cameraStatus.textContent = "Camera on, reading QR codes with " + how + ". Hold a badge in view.";
        decodeFrame();
      })
      .catch(function () {
        stopCamera();
        cameraStatus.textContent = "The camera could not start (no camera, or permission refused): find the name instead.";
      });
  }
  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    video.srcObject = null;
    cameraButton.textContent = "Start camera";
    cameraStatus.textContent = "Camera off.";
  }
  cameraButton.addEventListener("click", function () { if (stream) { stopCamera(); } else { startCamera(); } });

  // Chosen (and the decoder loaded) now, so the camera still works after the connection drops.
  var decoderReady = chooseDecoder();
  decoderReady.catch(function () {});
  updateConnection();
  refreshDoor();
  flush();
})();
