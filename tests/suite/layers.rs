//! The part graph of `src/lib.rs` is true: every `crate::PART` path in the library goes to
//! a lower layer (or to the crate root), never up and never to a sibling of the same
//! layer. Test modules (`tests.rs`, and what follows `#[cfg(test)]` in a file) may use any
//! part.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layer of each part, read from the table in `src/lib.rs`.
fn layers(lib: &str) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.strip_prefix("//! layer ") else {
            continue;
        };
        let (n, parts) = rest
            .split_once(':')
            .expect("`layer N: parts  what they are`");
        let n: u32 = n.trim().parse().expect("a layer number");
        // The part names come first; two spaces start the description.
        let names = parts.trim_start().split("  ").next().unwrap_or_default();
        for part in names.split_whitespace() {
            assert!(out.insert(part.to_string(), n).is_none(), "{part} twice");
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::NAME` in `text`, with its line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a, b::c}`: every name in the braces.
                let inner = group.split('}').next().unwrap_or_default();
                out.extend(
                    inner
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap_or_default().to_string())
                        .filter(|n| !n.is_empty())
                        .map(|n| (i + 1, n)),
                );
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push((i + 1, name));
            }
        }
    }
    out
}

/// `text` with each `#[cfg(test)] mod NAME { ... }` blanked out (its lines kept empty, so
/// line numbers stay right); everything else, including items after a test module or
/// other `#[cfg(test)]` items, is kept and checked.
fn without_test_modules(text: &str) -> String {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let is_test_mod = line.trim() == "#[cfg(test)]"
            && lines.peek().is_some_and(|next| {
                next.trim_start().starts_with("mod ") && next.trim_end().ends_with('{')
            });
        if !is_test_mod {
            out.push(line.to_string());
            continue;
        }
        out.push(String::new());
        // Skip the module, braces counted (strings and comments in tests rarely hold
        // unbalanced braces; a test module that did would fail the check loudly, not
        // silently pass).
        let mut depth = 0i64;
        for inner in lines.by_ref() {
            depth += inner.matches('{').count() as i64 - inner.matches('}').count() as i64;
            out.push(String::new());
            if depth <= 0 {
                break;
            }
        }
    }
    out.join("\n")
}

#[test]
fn parts_use_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let layer = layers(&lib);
    assert!(layer.len() >= 15, "the table in src/lib.rs lists {layer:?}");
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root.join("src")).unwrap();
        let part = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if matches!(part.as_str(), "lib" | "main") || rel.ends_with("tests.rs") {
            continue;
        }
        let from = *layer.get(&part).unwrap_or_else(|| {
            panic!(
                "part {part} ({}) is not in src/lib.rs's table",
                rel.display()
            )
        });
        let text = std::fs::read_to_string(&file).unwrap();
        let text = without_test_modules(&text);
        for (line, to) in crate_paths(&text) {
            let Some(&target) = layer.get(&to) else {
                continue; // the crate root's own items
            };
            if to != part && target >= from {
                wrong.push(format!(
                    "src/{}:{line}: {part} (layer {from}) uses {to} (layer {target})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the part graph:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    let layer = layers("//! layer 0: store  x\n//! layer 1: web  y\n");
    assert_eq!(layer["store"], 0);
    assert_eq!(layer["web"], 1);
    let found =
        crate_paths("use crate::web::x;\nlet a = crate::{store, web::y};\n// crate::nope\n");
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["web", "store", "web"]);
}

/// The module path of a source file (`src/web/respond/page.rs` → `web::respond::page`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every `crate::...` and `super::...` path in `text`, resolved to an absolute module path
/// (as `a::b::c`), with its line number. `module` is the file's own module path.
fn resolved_paths(text: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let bytes = code.as_bytes();
        let mut at = 0;
        while at < code.len() {
            let rest = &code[at..];
            let starts = rest.starts_with("crate::") || rest.starts_with("super::");
            let boundary = at == 0
                || !(bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':');
            if !(starts && boundary) {
                at += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let path: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            at += path.len().max(1);
            let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let mut base: Vec<String> = if segments.first() == Some(&"crate") {
                segments.remove(0);
                Vec::new()
            } else {
                module.to_vec()
            };
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
            base.extend(segments.iter().map(|s| s.to_string()));
            out.push((i + 1, base.join("::")));
        }
    }
    out
}

/// Inside `web`: the answers (`respond`) and the layers that refuse requests before any
/// handler runs depend on neither the API nor the pages, so no circle runs through them.
#[test]
fn web_refusals_depend_on_neither_api_nor_pages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/web/respond"), &mut files);
    for leaf in ["guard", "csrf", "body_limit", "idle", "limit"] {
        files.push(root.join(format!("src/web/{leaf}.rs")));
    }
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root.join("src")).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let text = without_test_modules(&text);
        for (line, path) in resolved_paths(&text, &module_of(rel)) {
            if path.starts_with("web::api") || path.starts_with("web::pages") {
                wrong.push(format!("src/{}:{line}: uses {path}", rel.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Inside `web`, the pages and the JSON API are two renderings of the same typed views
/// (`web::read`): neither imports the other, and the read model imports neither.
#[test]
fn pages_api_and_read_model_do_not_import_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = [
        ("src/web/pages", &["web::api"][..]),
        ("src/web/api", &["web::pages"][..]),
        ("src/web/read", &["web::api", "web::pages"][..]),
    ];
    let mut wrong = Vec::new();
    for (dir, forbidden) in rules {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "{dir} has Rust files");
        for file in files {
            let rel = file.strip_prefix(root.join("src")).unwrap();
            let text = std::fs::read_to_string(&file).unwrap();
            let text = without_test_modules(&text);
            for (line, path) in resolved_paths(&text, &module_of(rel)) {
                if forbidden.iter().any(|f| path.starts_with(f)) {
                    wrong.push(format!("src/{}:{line}: uses {path}", rel.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The parts of `web` (its direct children) and which of them each one imports.
fn web_graph() -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let web = root.join("src/web");
    let is_part = |name: &str| web.join(name).is_dir() || web.join(format!("{name}.rs")).is_file();
    let mut files = Vec::new();
    rust_files(&web, &mut files);
    let mut graph: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(root.join("src")).unwrap();
        let module = module_of(rel);
        let Some(from) = module.get(1).filter(|m| is_part(m)).cloned() else {
            continue;
        };
        let text = without_test_modules(&std::fs::read_to_string(&file).unwrap());
        for (_, path) in resolved_paths(&text, &module) {
            let mut segments = path.split("::");
            if segments.next() != Some("web") {
                continue;
            }
            if let Some(to) = segments.next().filter(|t| is_part(t) && *t != from) {
                graph
                    .entry(from.clone())
                    .or_default()
                    .insert(to.to_string());
            }
        }
    }
    graph
}

/// A circle through `graph`, if it has one.
fn circle(graph: &BTreeMap<String, std::collections::BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, std::collections::BTreeSet<String>>,
        done: &mut std::collections::BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == n) {
            let mut c = stack[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if !done.insert(n.to_string()) {
            return None;
        }
        stack.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, graph, done, stack) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

/// No circle of imports runs through the parts of `web`. The graph is printed, so
/// `cargo test --test suite layers::web_parts -- --nocapture` shows it.
#[test]
fn web_parts_import_each_other_in_no_circle() {
    let graph = web_graph();
    for (from, to) in &graph {
        let to: Vec<&str> = to.iter().map(String::as_str).collect();
        println!("web::{from} -> web::{}", to.join(", web::"));
    }
    assert!(
        graph.contains_key("pages") && graph.contains_key("api"),
        "{graph:?}"
    );
    assert_eq!(circle(&graph), None);
}

#[test]
fn the_circle_finder_sees_a_circle() {
    let mut graph: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for (a, b) in [
        ("routes", "guard"),
        ("guard", "respond"),
        ("guard", "routes"),
    ] {
        graph.entry(a.into()).or_default().insert(b.into());
    }
    assert_eq!(
        circle(&graph),
        Some(vec!["guard".into(), "routes".into(), "guard".into()])
    );
}

#[test]
fn only_test_modules_are_left_out() {
    let text = "use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n    fn f() { }\n}\n#[cfg(test)]\nfn helper() {}\nuse crate::c;\n";
    let kept = without_test_modules(text);
    let names: Vec<String> = crate_paths(&kept).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(crate_paths(&kept)[1].0, 9, "line numbers are kept");
}

#[test]
fn paths_resolve_from_the_files_module() {
    let module = module_of(Path::new("web/respond/page.rs"));
    assert_eq!(module, ["web", "respond", "page"]);
    let found = resolved_paths(
        "use super::ApiError;\nlet x = super::super::pages::render;\nuse crate::store::Store;",
        &module,
    );
    let paths: Vec<&str> = found.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "web::respond::ApiError",
            "web::pages::render",
            "store::Store"
        ]
    );
    assert_eq!(
        module_of(Path::new("web/respond/mod.rs")),
        ["web", "respond"]
    );
}
