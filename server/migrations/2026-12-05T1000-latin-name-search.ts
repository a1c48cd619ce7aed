import { type Kysely, sql } from 'kysely';

// Senders often write their name in Latin letters ("Ekaterina Lebedeva") while the client is kept in
// Cyrillic ("Лебедева Екатерина"): a transliterated copy of the folded name, kept by PostgreSQL itself,
// lets a Latin query find the Cyrillic record. The scheme follows common passport-style transliteration
// (ГОСТ Р 52535.1-2006 / ICAO 9303 style: ж zh, х kh, ц ts, ч ch, ш sh, щ shch, ю iu, я ia).
// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function crm_translit(input text) returns text
    language sql immutable parallel safe strict as $$
      select replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        translate(lower(input), 'абвгдеёзийклмнопрстуфыэ', 'abvgdeeziiklmnoprstufye'),
        'щ', 'shch'), 'ж', 'zh'), 'х', 'kh'), 'ц', 'ts'), 'ч', 'ch'), 'ш', 'sh'), 'ю', 'iu'), 'я', 'ia'),
        'ъ', ''), 'ь', ''), 'й', 'i')
    $$`.execute(db);
  await sql`alter table clients add column search_name_latin text generated always as (crm_translit(search_name)) stored`.execute(
    db,
  );
  await sql`create index clients_search_name_latin_trgm on clients using gin (search_name_latin gin_trgm_ops)`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table clients drop column search_name_latin`.execute(db);
  await sql`drop function crm_translit(text)`.execute(db);
}
