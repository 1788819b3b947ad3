//! `registry list`: the registry's versions, newest last, the champion marked.
use super::num;
use crate::registry::Index;

fn value(e: &crate::registry::Entry) -> String {
    match (&e.metric, e.value) {
        (Some(m), v) => format!("{m} {}", num::metric(v)),
        (None, _) => num::NA.to_string(),
    }
}

fn forced(e: &crate::registry::Entry) -> String {
    if e.forced {
        format!(
            "FORCED: {}",
            super::table::visible(e.reason.as_deref().unwrap_or(""))
        )
    } else {
        String::new()
    }
}

pub fn render_table(index: &Index) -> String {
    if index.versions.is_empty() {
        return "the registry is empty (no promotions yet)\n".to_string();
    }
    let mut t = super::table::plain(&[
        "",
        "version",
        "promoted at",
        "by",
        "verdict",
        "gate metric",
        "commit",
        "forced",
    ]);
    for e in &index.versions {
        let champ = index.champion.as_deref() == Some(e.version.as_str());
        t.add_row(vec![
            if champ { "*" } else { "" }.to_string(),
            e.version.clone(),
            e.promoted_at.clone(),
            super::table::visible(&e.promoted_by),
            e.verdict.clone(),
            value(e),
            e.git_commit
                .as_deref()
                .map_or("", num::short_sha)
                .to_string(),
            forced(e),
        ]);
    }
    let champ = index.champion.as_deref().unwrap_or("none");
    format!("{}\nchampion: {champ}\n", super::table::draw(&t))
}

pub fn render_markdown(index: &Index) -> String {
    let mut s = String::from("| | version | promoted at | by | verdict | gate metric | commit | forced |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for e in &index.versions {
        let champ = index.champion.as_deref() == Some(e.version.as_str());
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            if champ { "champion" } else { "" },
            e.version,
            e.promoted_at,
            super::markdown::cell(&e.promoted_by),
            e.verdict,
            value(e),
            e.git_commit.as_deref().map_or("", num::short_sha),
            super::markdown::cell(&forced(e)),
        ));
    }
    s
}

pub fn render_json(index: &Index) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(index)? + "\n")
}
