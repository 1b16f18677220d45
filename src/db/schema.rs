// One schema for both backends. Keep in step with migrations/{sqlite,postgres}.

diesel::table! {
    similarity_groups (label) {
        label -> Text,
        description -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        short_name -> Text,
        type_code -> Text,
        type_name -> Text,
        gss_code -> Nullable<Text>,
        former_gss_codes -> Text,
        nation -> Nullable<Text>,
        region -> Nullable<Text>,
        tier -> Nullable<Text>,
        county_code -> Nullable<Text>,
        combined_authority_code -> Nullable<Text>,
        population -> Nullable<BigInt>,
        website -> Nullable<Text>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        replaced_by -> Nullable<Text>,
        is_current -> Bool,
        similarity_label -> Nullable<Text>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organisation_neighbours (organisation_id, neighbour_id) {
        organisation_id -> BigInt,
        neighbour_id -> BigInt,
    }
}

diesel::table! {
    lgsl_functions (id) {
        id -> BigInt,
        label -> Text,
        parent_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    lgsl_services (id) {
        id -> BigInt,
        label -> Text,
        description -> Text,
        providing_tier -> Nullable<Text>,
        govuk_title -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        organisation_id -> BigInt,
        role -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Text,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        email -> Text,
        occurred_at -> Timestamp,
        client -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        token_prefix -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        token_hash -> Text,
        email -> Text,
        organisation_id -> BigInt,
        role -> Text,
        invited_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_label -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        organisation_id -> Nullable<BigInt>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        scope_type -> Nullable<Text>,
        scope_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        message_id -> Text,
        html_body -> Text,
        list_unsubscribe -> Text,
        status -> Text,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(invitations -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    similarity_groups,
    organisations,
    organisation_neighbours,
    lgsl_functions,
    lgsl_services,
    users,
    sessions,
    sign_in_failures,
    api_tokens,
    invitations,
    audit_log,
    outbox,
    jobs,
    notifications,
    watches,
    delivery_choices,
    needs,
    need_services,
    need_collaborations,
    need_tags,
    need_interests,
    need_updates,
    reminders_sent,
    feed_tokens,
    unsubscribe_tokens,
    partnerships,
    partnership_services,
    partnership_members,
    objectives,
    objective_updates,
    agreements,
    risks,
    risk_shares,
    risk_reviews,
    ledger_entries,
    reviews,
    review_actions,
    swot_items,
    swot_votes,
    brokers,
    introductions,
    introduction_parties,
);

diesel::table! {
    partnerships (id) {
        id -> BigInt,
        name -> Text,
        purpose -> Text,
        kind -> Text,
        degree -> Text,
        stage -> Integer,
        status -> Text,
        visibility -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        decision_body -> Text,
        decision_rule -> Text,
        meeting_cadence -> Text,
        review_cadence_months -> Nullable<Integer>,
        next_review_due -> Nullable<Date>,
        exit_plan -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    partnership_services (partnership_id, service_id) {
        partnership_id -> BigInt,
        service_id -> BigInt,
    }
}

diesel::table! {
    partnership_members (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        organisation_id -> BigInt,
        role -> Text,
        status -> Text,
        contact_name -> Text,
        contact_email -> Text,
        cost_share_bp -> Nullable<Integer>,
        invited_at -> Timestamp,
        responded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    objectives (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        title -> Text,
        measure -> Text,
        unit -> Text,
        baseline -> Double,
        target -> Double,
        start_date -> Date,
        due_date -> Date,
        owner_organisation_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    objective_updates (id) {
        id -> BigInt,
        objective_id -> BigInt,
        value -> Double,
        rag -> Text,
        note -> Text,
        recorded_on -> Date,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        kind -> Text,
        title -> Text,
        signed_on -> Nullable<Date>,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        renewal_due -> Nullable<Date>,
        document_url -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    risks (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        title -> Text,
        description -> Text,
        category -> Text,
        likelihood -> Integer,
        impact -> Integer,
        owner_organisation_id -> BigInt,
        mitigation -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    risk_shares (risk_id, organisation_id) {
        risk_id -> BigInt,
        organisation_id -> BigInt,
        share_bp -> Integer,
    }
}

diesel::table! {
    risk_reviews (id) {
        id -> BigInt,
        risk_id -> BigInt,
        reviewed_on -> Date,
        likelihood -> Integer,
        impact -> Integer,
        status -> Text,
        note -> Text,
        reviewed_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        organisation_id -> BigInt,
        entry_type -> Text,
        basis -> Text,
        financial_year -> Integer,
        amount_pence -> BigInt,
        description -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reviews (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        held_on -> Date,
        findings -> Text,
        decision -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    review_actions (id) {
        id -> BigInt,
        review_id -> BigInt,
        description -> Text,
        owner_organisation_id -> BigInt,
        due_on -> Date,
        done_on -> Nullable<Date>,
    }
}

diesel::table! {
    swot_items (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        quadrant -> Text,
        text -> Text,
        organisation_id -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    swot_votes (item_id, user_id) {
        item_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        unique_key -> Nullable<Text>,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    needs (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        title -> Text,
        problem -> Text,
        users_affected -> Text,
        why_now -> Text,
        phase -> Text,
        budget_band -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        technologies -> Text,
        visibility -> Text,
        status -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        terms -> Text,
        funding_target_pence -> Nullable<BigInt>,
        partnership_id -> Nullable<BigInt>,
        asked_active_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    need_services (need_id, service_id) {
        need_id -> BigInt,
        service_id -> BigInt,
    }
}

diesel::table! {
    need_collaborations (need_id, collaboration) {
        need_id -> BigInt,
        collaboration -> Text,
    }
}

diesel::table! {
    need_tags (need_id, tag) {
        need_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        subject_type -> Text,
        subject_id -> BigInt,
        title -> Text,
        link -> Text,
        audit_id -> Nullable<BigInt>,
        delivery -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        digested_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    watches (user_id, subject_type, subject_id) {
        user_id -> BigInt,
        subject_type -> Text,
        subject_id -> BigInt,
        watching -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    delivery_choices (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        organisation_id -> Nullable<BigInt>,
        kind -> Text,
        delivery -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminders_sent (reminder_key, user_id) {
        reminder_key -> Text,
        user_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    feed_tokens (user_id) {
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    unsubscribe_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    need_interests (id) {
        id -> BigInt,
        need_id -> BigInt,
        organisation_id -> BigInt,
        kind -> Text,
        pledge_pence -> Nullable<BigInt>,
        note -> Text,
        status -> Text,
        decline_reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        responded_at -> Nullable<Timestamp>,
        responded_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    need_updates (id) {
        id -> BigInt,
        need_id -> BigInt,
        body -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(watches -> users (user_id));
diesel::joinable!(partnership_members -> partnerships (partnership_id));
diesel::joinable!(partnership_members -> organisations (organisation_id));
diesel::joinable!(partnership_services -> partnerships (partnership_id));
diesel::joinable!(partnership_services -> lgsl_services (service_id));
diesel::joinable!(objectives -> partnerships (partnership_id));
diesel::joinable!(objectives -> organisations (owner_organisation_id));
diesel::joinable!(objective_updates -> objectives (objective_id));
diesel::joinable!(agreements -> partnerships (partnership_id));
diesel::joinable!(risks -> partnerships (partnership_id));
diesel::joinable!(risks -> organisations (owner_organisation_id));
diesel::joinable!(risk_shares -> risks (risk_id));
diesel::joinable!(risk_shares -> organisations (organisation_id));
diesel::joinable!(risk_reviews -> risks (risk_id));
diesel::joinable!(ledger_entries -> partnerships (partnership_id));
diesel::joinable!(ledger_entries -> organisations (organisation_id));
diesel::joinable!(reviews -> partnerships (partnership_id));
diesel::joinable!(review_actions -> reviews (review_id));
diesel::joinable!(review_actions -> organisations (owner_organisation_id));
diesel::joinable!(swot_items -> partnerships (partnership_id));
diesel::joinable!(swot_items -> organisations (organisation_id));
diesel::joinable!(swot_votes -> swot_items (item_id));
diesel::joinable!(needs -> organisations (organisation_id));
// Where needs cluster: counted by region and service in one query.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    organisations::region,
    organisations::nation,
    lgsl_services::id,
    lgsl_services::label,
);
diesel::joinable!(need_services -> needs (need_id));
diesel::joinable!(need_services -> lgsl_services (service_id));
diesel::joinable!(need_collaborations -> needs (need_id));
diesel::joinable!(need_tags -> needs (need_id));
diesel::joinable!(need_interests -> needs (need_id));
diesel::joinable!(need_interests -> organisations (organisation_id));
diesel::joinable!(need_updates -> needs (need_id));

// Matching's candidate index (needs::matches): kept apart from the list above so
// that it is one appended block.
diesel::table! {
    need_terms (need_id, term) {
        need_id -> BigInt,
        term -> Text,
    }
}

diesel::joinable!(need_terms -> needs (need_id));
diesel::allow_tables_to_appear_in_same_query!(need_terms, needs);

diesel::table! {
    brokers (organisation_id) {
        organisation_id -> BigInt,
        granted_by -> Nullable<BigInt>,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    introductions (id) {
        id -> BigInt,
        broker_organisation_id -> BigInt,
        proposed_by -> Nullable<BigInt>,
        need_id -> Nullable<BigInt>,
        note -> Text,
        status -> Text,
        partnership_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        converted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    introduction_parties (introduction_id, organisation_id) {
        introduction_id -> BigInt,
        organisation_id -> BigInt,
        status -> Text,
        reason -> Nullable<Text>,
        responded_by -> Nullable<BigInt>,
        responded_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(brokers -> organisations (organisation_id));
diesel::joinable!(introduction_parties -> introductions (introduction_id));
diesel::joinable!(introduction_parties -> organisations (organisation_id));

// Partnership health checks (health): questionnaires in versions, rounds,
// invitations answered by link, answers and comments.
diesel::table! {
    questionnaires (id) {
        id -> BigInt,
        organisation_id -> Nullable<BigInt>,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    questionnaire_versions (id) {
        id -> BigInt,
        questionnaire_id -> BigInt,
        version -> Integer,
        published_at -> Timestamp,
        published_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    health_factors (id) {
        id -> BigInt,
        version_id -> BigInt,
        position -> Integer,
        code -> Text,
        name -> Text,
        description -> Text,
    }
}

diesel::table! {
    health_statements (id) {
        id -> BigInt,
        factor_id -> BigInt,
        position -> Integer,
        text -> Text,
    }
}

diesel::table! {
    health_rounds (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        version_id -> BigInt,
        title -> Text,
        opens_on -> Date,
        closes_on -> Date,
        status -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        min_group -> Integer,
        divergence_gap -> Integer,
    }
}

diesel::table! {
    health_invitations (id) {
        id -> BigInt,
        round_id -> BigInt,
        organisation_id -> BigInt,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        invited_at -> Timestamp,
        reminded_at -> Nullable<Timestamp>,
        responded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    health_answers (invitation_id, statement_id) {
        invitation_id -> BigInt,
        statement_id -> BigInt,
        score -> Nullable<Integer>,
        dont_know -> Bool,
    }
}

diesel::table! {
    health_comments (invitation_id, factor_id) {
        invitation_id -> BigInt,
        factor_id -> BigInt,
        text -> Text,
    }
}

diesel::table! {
    health_round_summaries (round_id) {
        round_id -> BigInt,
        partnership_id -> BigInt,
        summary -> Text,
        computed_at -> Timestamp,
    }
}

diesel::joinable!(questionnaire_versions -> questionnaires (questionnaire_id));
diesel::joinable!(health_factors -> questionnaire_versions (version_id));
diesel::joinable!(health_statements -> health_factors (factor_id));
diesel::joinable!(health_rounds -> partnerships (partnership_id));
diesel::joinable!(health_rounds -> questionnaire_versions (version_id));
diesel::joinable!(health_invitations -> health_rounds (round_id));
diesel::joinable!(health_invitations -> organisations (organisation_id));
diesel::joinable!(health_answers -> health_invitations (invitation_id));
diesel::joinable!(health_answers -> health_statements (statement_id));
diesel::joinable!(health_comments -> health_invitations (invitation_id));
diesel::joinable!(health_comments -> health_factors (factor_id));
diesel::allow_tables_to_appear_in_same_query!(
    questionnaires,
    questionnaire_versions,
    health_factors,
    health_statements,
    health_rounds,
    health_invitations,
    health_answers,
    health_comments,
    organisations,
);
diesel::allow_tables_to_appear_in_same_query!(health_rounds, partnerships);
diesel::allow_tables_to_appear_in_same_query!(health_round_summaries, health_rounds);
diesel::allow_tables_to_appear_in_same_query!(health_round_summaries, partnership_members);
diesel::allow_tables_to_appear_in_same_query!(health_rounds, partnership_members);
diesel::allow_tables_to_appear_in_same_query!(health_rounds, users);
diesel::allow_tables_to_appear_in_same_query!(health_rounds, audit_log);
diesel::allow_tables_to_appear_in_same_query!(health_invitations, partnerships);
diesel::allow_tables_to_appear_in_same_query!(health_invitations, partnership_members);

// The collaboration strategy (strategy) and skills self-assessments (skills).
diesel::table! {
    collaboration_strategies (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        version -> Integer,
        outcomes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    strategy_criteria (strategy_id, kind) {
        strategy_id -> BigInt,
        kind -> Text,
        threshold -> Nullable<Double>,
    }
}

diesel::table! {
    skills_assessments (id) {
        id -> BigInt,
        user_id -> BigInt,
        organisation_id -> BigInt,
        taken_at -> Timestamp,
    }
}

diesel::table! {
    skills_answers (assessment_id, statement) {
        assessment_id -> BigInt,
        statement -> Text,
        score -> Integer,
    }
}

diesel::joinable!(strategy_criteria -> collaboration_strategies (strategy_id));
diesel::joinable!(collaboration_strategies -> organisations (organisation_id));
diesel::joinable!(skills_answers -> skills_assessments (assessment_id));
diesel::joinable!(skills_assessments -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    collaboration_strategies,
    strategy_criteria,
    skills_assessments,
    skills_answers,
);
diesel::allow_tables_to_appear_in_same_query!(collaboration_strategies, organisations);
diesel::allow_tables_to_appear_in_same_query!(collaboration_strategies, users);
diesel::allow_tables_to_appear_in_same_query!(skills_assessments, users);
diesel::allow_tables_to_appear_in_same_query!(skills_answers, users);
