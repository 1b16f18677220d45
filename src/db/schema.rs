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
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        email -> Text,
        occurred_at -> Timestamp,
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
);
