//! Opens the `report.html` of a small run in headless Chromium (through chromedriver's
//! WebDriver HTTP API, spoken here over a plain TCP socket) and checks that the page logs no
//! console error, that the scenario's name `<script>alert(1)</script>` (and markup in the
//! descriptions) shows as text and makes no element, and that every chart is present with a
//! non-zero size and text of a readable size, at a desktop and a phone width, without
//! horizontal overflow of the page. Screenshots (and the print layout as PDF) are saved to
//! `target/browser-artifacts/`.
//!
//! Skipped (with a note) when `/usr/bin/chromium` or `/usr/bin/chromedriver` is missing, unless
//! `TRISIM_BROWSER_TEST=require` (as in CI), which turns a missing browser into a failure.

#[path = "common/skip.rs"]
mod skip;

use assert_cmd::Command;
use serde_json::{json, Value};
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The hostile name of issue 4, and markup in the descriptions.
const NAME: &str = "<script>alert(1)</script>";
const TINY: &str = r#"
[scenario]
name = "<script>alert(1)</script>"
description = "A small run whose report is opened in headless Chromium: <img src=x onerror=alert(2)> </p><h1>not a heading</h1>"
horizon_months = 24
replications = 60
seed = 11

[paths.gradual]
description = "<b>not bold</b> <a href=\"javascript:alert(3)\">not a link</a>"
"#;

/// Charts' smallest text, in CSS pixels, on a screen of any width (see
/// `trisim::output::report::MIN_CHART_TEXT_PX`; a little less for rounding).
const MIN_TEXT_PX: f64 = 7.95;

/// Where screenshots go: `target/browser-artifacts/` (or `$CARGO_TARGET_DIR/browser-artifacts`).
fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_relative() {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
            } else {
                p
            }
        })
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("browser-artifacts")
}

/// A minimal HTTP/1.1 exchange (one request per connection) with chromedriver.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if body.is_some() {
        req.push_str("Content-Type: application/json; charset=utf-8\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
    s.write_all(req.as_bytes())
        .and_then(|_| s.write_all(payload.as_bytes()))
        .map_err(|e| format!("send: {e}"))?;
    // chromedriver keeps the connection open: read the headers, then exactly the body.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed before the end of the headers".into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_ascii_lowercase())
        })
    };
    let complete = |b: &[u8]| -> bool {
        match header("content-length").and_then(|v| v.parse::<usize>().ok()) {
            Some(len) => b.len() >= len,
            // Chunked: complete at the last (empty) chunk.
            None => b.ends_with(b"0\r\n\r\n"),
        }
    };
    while !complete(&body) {
        let n = s.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = dechunk(&body)?;
    }
    let v = serde_json::from_slice(&body)
        .map_err(|e| format!("{method} {path}: response is not JSON ({e})"))?;
    Ok((status, v))
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "bad chunk size")?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(b.get(..size).ok_or("short chunk")?);
        b = b.get(size + 2..).ok_or("short chunk")?;
    }
}

/// Standard base64 (as WebDriver's screenshots and PDFs).
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// chromedriver on a free port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("no free port");
        let child = std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start chromedriver");
        let d = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, v)) = http(port, "GET", "/status", None) {
                if v["value"]["ready"] == json!(true) {
                    return d;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A WebDriver session (headless Chromium with a fresh profile), deleted on drop.
struct Session<'a> {
    driver: &'a Driver,
    id: String,
    _profile: tempfile::TempDir,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = http(
            self.driver.port,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
        );
    }
}

impl<'a> Session<'a> {
    fn new(driver: &'a Driver) -> Session<'a> {
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            // Docker's 64 MB /dev/shm crashes renderers of large pages.
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let (status, v) = http(driver.port, "POST", "/session", Some(&caps)).unwrap();
        assert_eq!(status, 200, "cannot create a WebDriver session: {v}");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {v}"))
            .to_string();
        Session {
            driver,
            id,
            _profile: profile,
        }
    }

    fn cmd(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}/{what}", self.id);
        let (status, v) = http(self.driver.port, method, &path, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.canonicalize().unwrap().display());
        self.cmd("POST", "url", Some(json!({ "url": url })));
    }

    /// Opens `file` with an empty console log: the previous page is left for `about:blank`
    /// first (so its late console events arrive now) and the log is fetched and discarded.
    fn open_fresh(&self, file: &Path) {
        self.cmd("POST", "url", Some(json!({ "url": "about:blank" })));
        let _ = self.console();
        self.open(file);
    }

    /// Browser console entries since the last call.
    fn console(&self) -> Vec<Value> {
        self.cmd("POST", "se/log", Some(json!({ "type": "browser" })))
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn severe(&self) -> Vec<String> {
        self.console()
            .into_iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn resize(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    fn screenshot(&self, to: &Path) {
        let b64 = self.cmd("GET", "screenshot", None);
        let png = base64_decode(b64.as_str().expect("screenshot is not a string"));
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        fs::write(to, png).unwrap();
    }
}

/// Checks every chart at the current window size: `expected` inline SVGs, each inside its
/// figure, non-empty and scaled 3:2; each chart's box (which scrolls sideways when the chart
/// is wider) inside the window; the chart drawn wide enough for its smallest text to render
/// at [`MIN_TEXT_PX`] or more; and no horizontal overflow of the page. Returns how many charts
/// are wider than their box (and so scroll).
fn check_charts(s: &Session<'_>, expected: usize, label: &str, readable: bool) -> usize {
    let v = s.js("const svgs = Array.from(document.querySelectorAll('svg'));
         return { charts: svgs.map(e => {
                      const r = e.getBoundingClientRect();
                      const box = e.closest('.chart');
                      const b = box ? box.getBoundingClientRect() : null;
                      const fonts = Array.from(e.querySelectorAll('text'))
                          .map(t => parseFloat(getComputedStyle(t).fontSize))
                          .filter(x => x > 0);
                      return { w: r.width, h: r.height,
                               box: b ? [b.left, b.right, b.width] : null,
                               viewWidth: e.viewBox.baseVal ? e.viewBox.baseVal.width : 0,
                               smallestFont: fonts.length ? Math.min(...fonts) : null,
                               texts: fonts.length }; }),
                  inFigure: svgs.filter(e => e.closest('figure') !== null).length,
                  scrollWidth: document.documentElement.scrollWidth,
                  innerWidth: window.innerWidth };");
    let charts = v["charts"].as_array().unwrap();
    assert_eq!(
        charts.len(),
        expected,
        "{label}: {} inline svg, expected one per chart ({expected})",
        charts.len()
    );
    assert_eq!(
        v["inFigure"],
        json!(expected),
        "{label}: a chart outside its figure"
    );
    let inner = v["innerWidth"].as_f64().unwrap();
    let mut scrolling = 0;
    for (i, c) in charts.iter().enumerate() {
        let (w, h) = (c["w"].as_f64().unwrap(), c["h"].as_f64().unwrap());
        assert!(w > 0.0 && h > 0.0, "{label}: chart {i} is {w}×{h}");
        // Charts are 1200×800: they scale with their width (a viewBox), keeping the ratio.
        assert!(
            (h / w - 800.0 / 1200.0).abs() < 0.02,
            "{label}: chart {i} is {w}×{h}, not scaled as 3:2"
        );
        let b = c["box"]
            .as_array()
            .unwrap_or_else(|| panic!("{label}: chart {i} is not in a .chart box"));
        let (left, right, bw) = (
            b[0].as_f64().unwrap(),
            b[1].as_f64().unwrap(),
            b[2].as_f64().unwrap(),
        );
        assert!(
            left >= -0.5 && right <= inner + 0.5,
            "{label}: the box of chart {i} spans {left}..{right} px in a {inner} px window"
        );
        if w > bw + 1.0 {
            scrolling += 1;
        }
        // The text as drawn: its size in the viewBox, scaled by the drawn width.
        let view = c["viewWidth"].as_f64().unwrap();
        assert!(view > 0.0, "{label}: chart {i} has no viewBox");
        assert!(
            c["texts"].as_u64().unwrap() > 0,
            "{label}: chart {i} has no text"
        );
        let smallest = c["smallestFont"].as_f64().unwrap() * w / view;
        assert!(
            !readable || smallest >= MIN_TEXT_PX,
            "{label}: the smallest text of chart {i} renders at {smallest:.1} px ({w} px wide)"
        );
    }
    let scroll = v["scrollWidth"].as_f64().unwrap();
    assert!(
        scroll <= inner + 1.0,
        "{label}: the page is {scroll} px wide in a {inner} px window (horizontal overflow)"
    );
    scrolling
}

/// Checks that the hostile texts are text: the title and heading are the literal name, and
/// the page has no script, image, heading or link made of them.
fn check_inert(s: &Session<'_>, label: &str) {
    let v = s.js(
        "return { title: document.title,
                  h1: Array.from(document.querySelectorAll('h1')).map(e => e.textContent),
                  scripts: document.querySelectorAll('script').length,
                  imgs: document.querySelectorAll('img, iframe, object, embed').length,
                  bold: document.querySelectorAll('b').length,
                  links: Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href')),
                  body: document.body.textContent };",
    );
    assert_eq!(
        v["title"],
        json!(format!("{NAME} — trisim report")),
        "{label}"
    );
    assert_eq!(v["h1"], json!([NAME]), "{label}: headings");
    assert_eq!(v["scripts"], json!(0), "{label}: <script> elements");
    assert_eq!(v["imgs"], json!(0), "{label}: embedded elements");
    assert_eq!(v["bold"], json!(0), "{label}: <b> elements");
    for l in v["links"].as_array().unwrap() {
        let l = l.as_str().unwrap_or_default();
        assert!(l.starts_with('#'), "{label}: a link to {l}");
    }
    let body = v["body"].as_str().unwrap();
    for text in [
        "<img src=x onerror=alert(2)> </p><h1>not a heading</h1>",
        "<b>not bold</b> <a href=\"javascript:alert(3)\">not a link</a>",
    ] {
        assert!(
            body.contains(text),
            "{label}: `{text}` is not shown as text"
        );
    }
}

/// Resizes the window to the page's full height and saves a screenshot.
fn full_page_screenshot(s: &Session<'_>, width: u32, to: &Path) {
    let h = s
        .js("return document.documentElement.scrollHeight;")
        .as_f64()
        .unwrap_or(2000.0) as u32;
    s.resize(width, h.clamp(600, 30_000) + 140);
    s.screenshot(to);
}

/// Page objects of a PDF (`/Type /Page`, not `/Pages`).
fn count_pages(pdf: &[u8]) -> usize {
    [&b"/Type /Page"[..], &b"/Type/Page"[..]]
        .iter()
        .map(|pat| {
            pdf.windows(pat.len() + 1)
                .filter(|w| w.starts_with(pat) && w[pat.len()] != b's')
                .count()
        })
        .sum()
}

/// Whether the browser test runs: `Ok(None)` if every program of `needed` exists,
/// `Ok(Some(why))` (skip) if one is missing, `Err` if one is missing but the test is `required`.
fn skip_reason(needed: &[&str], required: bool) -> Result<Option<String>, String> {
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let what = missing.join(" and ");
    if required {
        Err(format!(
            "TRISIM_BROWSER_TEST=require but {what} missing (Debian: apt-get install chromium chromium-driver)"
        ))
    } else {
        Ok(Some(format!(
            "the browser test needs {what} (Debian: apt-get install chromium chromium-driver; TRISIM_BROWSER_TEST=require makes this a failure)"
        )))
    }
}

#[test]
fn a_missing_browser_skips_unless_required() {
    let here = env!("CARGO_MANIFEST_DIR");
    let none = "/nonexistent/trisim-test/chromium";
    assert_eq!(skip_reason(&[here], false), Ok(None));
    assert_eq!(skip_reason(&[here], true), Ok(None));
    let skip = skip_reason(&[here, none], false).unwrap().unwrap();
    assert!(skip.contains(none), "{skip}");
    let err = skip_reason(&[none, here], true).unwrap_err();
    assert!(
        err.contains("TRISIM_BROWSER_TEST=require") && err.contains(none),
        "{err}"
    );
}

#[test]
fn report_renders_in_headless_chromium() {
    let required = std::env::var("TRISIM_BROWSER_TEST").as_deref() == Ok("require");
    if let Some(why) =
        skip_reason(&[CHROMIUM, CHROMEDRIVER], required).unwrap_or_else(|e| panic!("{e}"))
    {
        skip::skipped("browser::report_renders_in_headless_chromium", &why);
        return;
    }

    // A small run.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("tiny.toml");
    fs::write(&scenario, TINY).unwrap();
    let out = tmp.path().join("out");
    Command::cargo_bin("trisim")
        .unwrap()
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let report = out.join("report.html");
    let charts = fs::read_dir(out.join("charts"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".svg")
        })
        .count();
    assert!(charts >= 5, "only {charts} SVG charts");

    let artifacts = artifacts_dir();
    fs::create_dir_all(&artifacts).unwrap();
    let driver = Driver::start();
    let s = Session::new(&driver);

    // The detection works: a page with a script error, and the report with an external image
    // (blocked by its Content-Security-Policy), both log SEVERE entries.
    let bad = tmp.path().join("broken.html");
    fs::write(
        &bad,
        "<!DOCTYPE html><html><body><script>undefinedFunctionForTheTest();</script></body></html>",
    )
    .unwrap();
    s.open_fresh(&bad);
    let errors = s.severe();
    assert!(
        errors
            .iter()
            .any(|m| m.contains("undefinedFunctionForTheTest")),
        "a script error was not detected: {errors:?}"
    );
    let external = tmp.path().join("external.html");
    let html = fs::read_to_string(&report).unwrap();
    fs::write(
        &external,
        html.replacen(
            "<main>",
            "<main><img src=\"https://example.invalid/x.png\" alt=\"\">",
            1,
        ),
    )
    .unwrap();
    s.open_fresh(&external);
    let errors = s.severe();
    assert!(
        errors.iter().any(|m| m.contains("Content Security Policy")),
        "an external load in the report was not reported: {errors:?}"
    );

    // The report itself, at a desktop and a phone size.
    for (label, w, h) in [("desktop", 1280u32, 900u32), ("phone", 390, 844)] {
        s.resize(w, h);
        s.open_fresh(&report);
        let errors = s.severe();
        assert!(
            errors.is_empty(),
            "{label}: console errors in report.html: {errors:?}"
        );
        check_inert(&s, label);
        let desktop = label == "desktop";
        // Every chart fits the window whole, at a readable size on a desktop.
        let scrolling = check_charts(&s, charts, label, desktop);
        assert_eq!(scrolling, 0, "{label}: a chart is cut by its box");
        if !desktop {
            // A phone: "Zoom in" (a checkbox, no script) gives each chart a readable size,
            // scrolling sideways in its box; the page itself does not overflow.
            let shown = s.js(
                "const ls = Array.from(document.querySelectorAll('label.zoom'));
                 const visible = ls.filter(l => l.getBoundingClientRect().width > 0).length;
                 ls.forEach(l => l.click());
                 return visible;",
            );
            assert_eq!(
                shown,
                json!(charts),
                "phone: a chart without its zoom button"
            );
            let zoomed = check_charts(&s, charts, "phone (zoomed)", true);
            assert_eq!(zoomed, charts, "phone: zoom did not give readable charts");
            s.js("document.getElementById('chart-fan_ci').scrollIntoView(); return null;");
            s.screenshot(&artifacts.join("report-phone-chart-zoomed.png"));
            s.open_fresh(&report);
        }
        s.screenshot(&artifacts.join(format!("report-{label}.png")));
        if label == "phone" {
            s.js("document.getElementById('chart-fan_ci').scrollIntoView(); return null;");
            s.screenshot(&artifacts.join("report-phone-chart.png"));
        }
        full_page_screenshot(&s, w, &artifacts.join(format!("report-{label}-full.png")));
        check_charts(&s, charts, &format!("{label} (full height)"), desktop);
        let errors = s.severe();
        assert!(errors.is_empty(), "{label}: console errors: {errors:?}");
    }

    // The print layout, as Chromium prints it (A4).
    s.resize(1280, 900);
    s.open_fresh(&report);
    let pdf = s.cmd(
        "POST",
        "print",
        Some(json!({ "page": { "width": 21.0, "height": 29.7 }, "background": true })),
    );
    let pdf = base64_decode(pdf.as_str().expect("print gave no PDF"));
    assert!(pdf.starts_with(b"%PDF"), "print did not give a PDF");
    let pages = count_pages(&pdf);
    assert!(pages >= 3, "the printed report has {pages} pages");
    fs::write(artifacts.join("report-print.pdf"), pdf).unwrap();
    println!(
        "screenshots and the printed PDF are in {}",
        artifacts.display()
    );
}
