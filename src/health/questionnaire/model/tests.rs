use super::*;

fn factor(name: &str, statements: &[&str]) -> FactorDraft {
    FactorDraft {
        name: name.into(),
        description: String::new(),
        statements: statements.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn the_text_box_reads_factors_descriptions_and_statements() {
    let text = "# Trust\nHow far partners rely on each other.\n\n- Partners do what they say.\r\n* I can raise a problem.\n#Delivery\n- On time.\n";
    let r = TextReading::of(text);
    assert!(r.unreadable.is_empty(), "{:?}", r.unreadable);
    assert_eq!(r.factors.len(), 2);
    assert_eq!(r.factors[0].name, "Trust");
    assert_eq!(
        r.factors[0].description,
        "How far partners rely on each other."
    );
    assert_eq!(
        r.factors[0].statements,
        vec!["Partners do what they say.", "I can raise a problem."]
    );
    assert_eq!(r.factors[1].name, "Delivery");
    assert_eq!(r.lines, vec![(1, vec![4, 5]), (6, vec![7])]);
}

#[test]
fn the_text_box_names_the_line_at_fault() {
    let r = TextReading::of("- Orphan\n# Trust\n- Fine\nstray words\n# trust\n-\n# Empty\n");
    let problems = FactorsInput::parse(&r.factors).unwrap_err();
    let errors = r.form_errors(problems, "name", "factors");
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "Line 1: A statement must come after the name of its factor (a line starting with #)",
            "Line 4: Start each statement with a dash (-); a factor's description goes before its statements",
            "Line 5: Two factors are called ‘trust’: give each factor its own name",
            "Line 6: Enter the statement's words: a statement cannot be empty",
            "Line 7: Factor ‘Empty’ has no statements: add at least one",
        ]
    );
    assert!(errors.iter().all(|e| e.field == "factors"));
}

#[test]
fn written_out_and_read_back_is_the_same() {
    let views = vec![FactorView {
        id: 1,
        code: "trust".into(),
        name: "Trust".into(),
        description: "Relying on each other.".into(),
        statements: vec![
            StatementView {
                id: 1,
                text: "One.".into(),
            },
            StatementView {
                id: 2,
                text: "Two.".into(),
            },
        ],
    }];
    let r = TextReading::of(&to_text(&views));
    assert_eq!(r.factors[0].name, "Trust");
    assert_eq!(r.factors[0].description, "Relying on each other.");
    assert_eq!(r.factors[0].statements, vec!["One.", "Two."]);
}

#[test]
fn rules_name_the_json_property() {
    let d = QuestionnaireDraft {
        name: " ".into(),
        factors: vec![],
    };
    let errors = field_errors(QuestionnaireInput::parse(&d, &[]).unwrap_err());
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["name", "factors"]);
    let d = QuestionnaireDraft {
        name: "Ours".into(),
        factors: vec![factor("Trust", &["A", ""]), factor("", &["B", "b"])],
    };
    let errors = field_errors(QuestionnaireInput::parse(&d, &["ours".into()]).unwrap_err());
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "name",
            "factors[0].statements[1]",
            "factors[1].name",
            "factors[1].statements[1]"
        ]
    );
    let ok = QuestionnaireInput::parse(
        &QuestionnaireDraft {
            name: "Ours".into(),
            factors: vec![factor("Trust", &["A"])],
        },
        &["Theirs".into()],
    )
    .unwrap();
    assert_eq!(ok.factors[0].statements, vec!["A"]);
}

#[test]
fn codes_follow_names_and_never_repeat() {
    assert_eq!(
        code_of("Commitment and ownership"),
        "commitment_and_ownership"
    );
    assert_eq!(code_of("  Risk-sharing!! "), "risk_sharing");
    assert_eq!(code_of("Ωμέγα"), "factor");
    let mut fs: Vec<FactorInput> = ["Commitment and ownership", "Trust!", "Trust?", "New"]
        .iter()
        .map(|n| FactorInput {
            code: String::new(),
            name: n.to_string(),
            description: String::new(),
            statements: vec!["x".into()],
        })
        .collect();
    assign_codes(
        &mut fs,
        &[("commitment".into(), "Commitment and ownership".into())],
    );
    let codes: Vec<&str> = fs.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["commitment", "trust", "trust_2", "new"]);
}
