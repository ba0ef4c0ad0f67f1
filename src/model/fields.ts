/** The canonical field names every input column maps to (SPEC section 2). */
export const CANONICAL_FIELDS = [
  'customer_id',
  'email',
  'phone',
  'first_name',
  'last_name',
  'social_id',
  'gender',
  'birth_date',
  'age',
  'city',
  'state',
  'zip',
  'country',
  'neighborhood',
  'madid',
  'audiences',
  'nbo_products',
  'nbo_categories',
  'data_processing_options',
  'data_processing_options_country',
  'data_processing_options_state',
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/**
 * Case-insensitive aliases of each field. Matching ignores case, surrounding spaces, and treats
 * `-`, ` ` and `_` alike, so `E-Mail`, `email address` and `EMAIL_ADDRESS` all find `email`.
 */
export const FIELD_ALIASES: Readonly<Record<CanonicalField, readonly string[]>> = {
  customer_id: ['customer_id', 'customerid', 'cust_id', 'client_id', 'user_id', 'userid', 'extern_id', 'external_id', 'pxid', 'id'],
  email: ['email', 'e_mail', 'email_address', 'mail', 'e_mail_address', 'emailaddress'],
  phone: ['phone', 'phone_number', 'phonenumber', 'mobile', 'mobile_phone', 'cell', 'cellphone', 'tel', 'telephone', 'msisdn'],
  first_name: ['first_name', 'firstname', 'fname', 'given_name', 'givenname', 'forename'],
  last_name: ['last_name', 'lastname', 'lname', 'surname', 'family_name', 'familyname'],
  social_id: ['social_id', 'cpf', 'tax_id', 'national_id'],
  gender: ['gender', 'gen', 'sex'],
  birth_date: ['birth_date', 'birthdate', 'date_of_birth', 'dob', 'birthday'],
  age: ['age'],
  city: ['city', 'town', 'ct', 'cidade'],
  state: ['state', 'st', 'province', 'region', 'estado', 'uf'],
  zip: ['zip', 'zipcode', 'zip_code', 'postal_code', 'postalcode', 'postcode', 'cep'],
  country: ['country', 'country_code', 'countrycode', 'pais'],
  neighborhood: ['neighborhood', 'neighbourhood', 'bairro'],
  madid: ['madid', 'maid', 'mobile_ad_id', 'advertising_id', 'idfa', 'gaid', 'aaid', 'mobile_id'],
  audiences: ['audiences', 'audience', 'segments'],
  nbo_products: ['nbo_products'],
  nbo_categories: ['nbo_categories'],
  data_processing_options: ['data_processing_options'],
  data_processing_options_country: ['data_processing_options_country'],
  data_processing_options_state: ['data_processing_options_state'],
};

const FIELD_SET: ReadonlySet<string> = new Set(CANONICAL_FIELDS);

export function isCanonicalField(name: string): name is CanonicalField {
  return FIELD_SET.has(name);
}

/** The form a column name is compared in: lower case, trimmed, `-` and spaces as `_`. */
export function aliasKey(column: string): string {
  return column.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

const ALIAS_INDEX: ReadonlyMap<string, CanonicalField> = (() => {
  const index = new Map<string, CanonicalField>();
  for (const field of CANONICAL_FIELDS) {
    for (const alias of FIELD_ALIASES[field]) index.set(aliasKey(alias), field);
  }
  return index;
})();

/** The canonical field an input column name stands for by its aliases, if any. */
export function fieldForColumn(column: string): CanonicalField | undefined {
  return ALIAS_INDEX.get(aliasKey(column));
}
