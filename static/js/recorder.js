// Voice answers: where the browser can record (MediaRecorder: Chrome, Firefox, iPad Safari
// 14.5 and later), a Record / Stop button pair fills the form's file field with the
// recording, in whatever format the browser makes (WebM, Ogg or MP4). Without JavaScript
// or MediaRecorder the plain file field stays, which on a tablet offers the voice recorder.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;

  function setUp(box) {
    var input = box.querySelector("input[type=file]");
    if (!input || box.querySelector(".recorder")) return;
    var controls = document.createElement("div");
    controls.className = "recorder";
    var record = document.createElement("button");
    record.type = "button";
    record.className = "button";
    record.textContent = box.dataset.recordLabel || "Record";
    // What the recorder is doing, on the screen and read out from the page's one live region
    // (a page of forty recorders would otherwise have forty empty ones).
    var status = document.createElement("span");
    status.className = "recorder-status";
    function tell(text) {
      status.textContent = text;
      if (window.careerSteps && window.careerSteps.announce) window.careerSteps.announce(text);
    }
    // While the microphone is on, a symbol and words say so (ICO Children's Code).
    var mic = document.createElement("img");
    mic.alt = "";
    mic.width = mic.height = 48;
    mic.hidden = true;
    if (box.dataset.recordingSymbol) mic.src = box.dataset.recordingSymbol;
    var playback = document.createElement("audio");
    playback.controls = true;
    playback.hidden = true;
    controls.append(record, mic, status, playback);

    function recording(on) {
      mic.hidden = !on;
      controls.classList.toggle("is-recording", on);
    }
    box.append(controls);

    var recorder = null;
    var chunks = [];
    record.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") {
        recorder.stop();
        return;
      }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (e) { if (e.data.size) chunks.push(e.data); });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          recording(false);
          var type = recorder.mimeType || "audio/webm";
          var ext = type.indexOf("mp4") >= 0 ? "m4a" : type.indexOf("ogg") >= 0 ? "ogg" : "webm";
          var blob = new Blob(chunks, { type: type });
          var files = new DataTransfer();
          files.items.add(new File([blob], "answer." + ext, { type: type }));
          input.files = files.files;
          playback.src = URL.createObjectURL(blob);
          playback.hidden = false;
          record.textContent = box.dataset.againLabel || "Record again";
          tell(box.dataset.doneLabel || "Recorded.");
        });
        recorder.start();
        recording(true);
        record.textContent = box.dataset.stopLabel || "Stop";
        tell(box.dataset.recordingLabel || "Recording…");
      }).catch(function () {
        tell(box.dataset.deniedLabel || "The microphone is not available.");
      });
    });
  }

  function scan(root) { root.querySelectorAll("[data-recorder]").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (e) { scan(e.target); });
})();
