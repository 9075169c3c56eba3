//! `cnid lookup` with other documents and `--regions`, run as a process.

mod common;
use common::with_check as number;
use common::{cnid, stdout};

#[test]
fn lookup_answers_a_foreigners_permanent_residence_id() {
    let n = number("91184019800101111");
    let o = cnid(&["lookup", "--today", "2026-11-29", &n]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains(r#""status":"ALREADY_ATT""#), "{out}");
    assert!(
        out.contains(r#""par":"110000","born":"1980年01月01日","sex":"男","att":"北京市  ""#),
        "{out}"
    );
    let o = cnid(&[
        "lookup",
        "--format",
        "detail",
        "--today",
        "2026-11-29",
        &n,
        "A123456(3)",
        "123",
    ]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(r#"{"kind":"foreign_permanent_residence_id","status":"ALREADY_ATT""#),
        "{out}"
    );
    assert!(
        lines[0].contains(r#""alpha3":"USA","name":"美国""#),
        "{out}"
    );
    assert!(
        lines[1].starts_with(r#"{"kind":"hong_kong_id","status":"WRONG_IDCARD""#),
        "{out}"
    );
    assert!(
        lines[1].contains(r#""document":{"kind":"hong_kong_id","number":"A123456(3)""#),
        "{out}"
    );
    assert!(
        lines[2].starts_with(r#"{"kind":null,"status":"WRONG_IDCARD""#),
        "{out}"
    );
    for line in lines {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

#[test]
fn lookup_regions_file_adds_codes_and_refuses_bad_files() {
    let dir = std::env::temp_dir().join(format!("cnid-regions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "code,name,province,prefecture,province_short,province_full,city_short,city_full,postno,areano\n\
         430199,新区,湖南省,长沙市,湖南,湖南省,长沙,长沙市,410000,0731\n",
    )
    .unwrap();
    let n = number("43019919900101111");
    let o = cnid(&["lookup", "--regions", good.to_str().unwrap(), &n]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains(r#""att":"湖南省 长沙市 新区""#));
    let o = cnid(&["lookup", &n]);
    assert!(stdout(&o).contains("NOT_ATT"));

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "code,name,province,province_short,province_full\n430199,x,湖南省,湖南,湖南省\n43x199,y,湖南省,湖南,湖南省\n").unwrap();
    let o = cnid(&["lookup", "--regions", bad.to_str().unwrap(), &n]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("bad.csv:3: code"), "{err}");
    std::fs::write(&bad, b"code,name\xff\n").unwrap();
    let o = cnid(&["lookup", "--regions", bad.to_str().unwrap(), &n]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8(o.stderr).unwrap().contains("not UTF-8"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_takes_regions_and_names_a_foreigners_id_reason() {
    let dir = std::env::temp_dir().join(format!("cnid-batch-regions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let regions = dir.join("regions.csv");
    std::fs::write(
        &regions,
        "code,name,province,prefecture,province_short,province_full\n430199,新区,湖南省,长沙市,湖南,湖南省\n",
    )
    .unwrap();
    let input = dir.join("in.csv");
    // A foreigners' number with nationality 999 (no such code) but a right check character.
    let unknown_nationality = number("91199919800101111");
    std::fs::write(
        &input,
        format!(
            "id\n{}\n{unknown_nationality}\n",
            number("43019919900101111")
        ),
    )
    .unwrap();
    let o = cnid(&[
        "batch",
        "--regions",
        regions.to_str().unwrap(),
        "-i",
        input.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].contains("ALREADY_ATT,430199,1990年01月01日,男,湖南省 长沙市 新区"),
        "{out}"
    );
    assert!(lines[2].ends_with("no such nationality code"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}
