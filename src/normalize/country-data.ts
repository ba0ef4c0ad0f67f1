/**
 * ISO 3166-1: every officially assigned code as `alpha-2 alpha-3 English short name`, one a line
 * (ISO's own short names, with the usual short forms where ISO's is a "… of" phrase).
 */
export const ISO_3166_1 = `
AF AFG Afghanistan
AX ALA Åland Islands
AL ALB Albania
DZ DZA Algeria
AS ASM American Samoa
AD AND Andorra
AO AGO Angola
AI AIA Anguilla
AQ ATA Antarctica
AG ATG Antigua and Barbuda
AR ARG Argentina
AM ARM Armenia
AW ABW Aruba
AU AUS Australia
AT AUT Austria
AZ AZE Azerbaijan
BS BHS Bahamas
BH BHR Bahrain
BD BGD Bangladesh
BB BRB Barbados
BY BLR Belarus
BE BEL Belgium
BZ BLZ Belize
BJ BEN Benin
BM BMU Bermuda
BT BTN Bhutan
BO BOL Bolivia
BQ BES Bonaire, Sint Eustatius and Saba
BA BIH Bosnia and Herzegovina
BW BWA Botswana
BV BVT Bouvet Island
BR BRA Brazil
IO IOT British Indian Ocean Territory
BN BRN Brunei Darussalam
BG BGR Bulgaria
BF BFA Burkina Faso
BI BDI Burundi
CV CPV Cabo Verde
KH KHM Cambodia
CM CMR Cameroon
CA CAN Canada
KY CYM Cayman Islands
CF CAF Central African Republic
TD TCD Chad
CL CHL Chile
CN CHN China
CX CXR Christmas Island
CC CCK Cocos (Keeling) Islands
CO COL Colombia
KM COM Comoros
CG COG Congo
CD COD Democratic Republic of the Congo
CK COK Cook Islands
CR CRI Costa Rica
CI CIV Côte d'Ivoire
HR HRV Croatia
CU CUB Cuba
CW CUW Curaçao
CY CYP Cyprus
CZ CZE Czechia
DK DNK Denmark
DJ DJI Djibouti
DM DMA Dominica
DO DOM Dominican Republic
EC ECU Ecuador
EG EGY Egypt
SV SLV El Salvador
GQ GNQ Equatorial Guinea
ER ERI Eritrea
EE EST Estonia
SZ SWZ Eswatini
ET ETH Ethiopia
FK FLK Falkland Islands (Malvinas)
FO FRO Faroe Islands
FJ FJI Fiji
FI FIN Finland
FR FRA France
GF GUF French Guiana
PF PYF French Polynesia
TF ATF French Southern Territories
GA GAB Gabon
GM GMB Gambia
GE GEO Georgia
DE DEU Germany
GH GHA Ghana
GI GIB Gibraltar
GR GRC Greece
GL GRL Greenland
GD GRD Grenada
GP GLP Guadeloupe
GU GUM Guam
GT GTM Guatemala
GG GGY Guernsey
GN GIN Guinea
GW GNB Guinea-Bissau
GY GUY Guyana
HT HTI Haiti
HM HMD Heard Island and McDonald Islands
VA VAT Holy See
HN HND Honduras
HK HKG Hong Kong
HU HUN Hungary
IS ISL Iceland
IN IND India
ID IDN Indonesia
IR IRN Iran
IQ IRQ Iraq
IE IRL Ireland
IM IMN Isle of Man
IL ISR Israel
IT ITA Italy
JM JAM Jamaica
JP JPN Japan
JE JEY Jersey
JO JOR Jordan
KZ KAZ Kazakhstan
KE KEN Kenya
KI KIR Kiribati
KP PRK North Korea
KR KOR South Korea
KW KWT Kuwait
KG KGZ Kyrgyzstan
LA LAO Laos
LV LVA Latvia
LB LBN Lebanon
LS LSO Lesotho
LR LBR Liberia
LY LBY Libya
LI LIE Liechtenstein
LT LTU Lithuania
LU LUX Luxembourg
MO MAC Macao
MG MDG Madagascar
MW MWI Malawi
MY MYS Malaysia
MV MDV Maldives
ML MLI Mali
MT MLT Malta
MH MHL Marshall Islands
MQ MTQ Martinique
MR MRT Mauritania
MU MUS Mauritius
YT MYT Mayotte
MX MEX Mexico
FM FSM Micronesia
MD MDA Moldova
MC MCO Monaco
MN MNG Mongolia
ME MNE Montenegro
MS MSR Montserrat
MA MAR Morocco
MZ MOZ Mozambique
MM MMR Myanmar
NA NAM Namibia
NR NRU Nauru
NP NPL Nepal
NL NLD Netherlands
NC NCL New Caledonia
NZ NZL New Zealand
NI NIC Nicaragua
NE NER Niger
NG NGA Nigeria
NU NIU Niue
NF NFK Norfolk Island
MK MKD North Macedonia
MP MNP Northern Mariana Islands
NO NOR Norway
OM OMN Oman
PK PAK Pakistan
PW PLW Palau
PS PSE Palestine
PA PAN Panama
PG PNG Papua New Guinea
PY PRY Paraguay
PE PER Peru
PH PHL Philippines
PN PCN Pitcairn
PL POL Poland
PT PRT Portugal
PR PRI Puerto Rico
QA QAT Qatar
RE REU Réunion
RO ROU Romania
RU RUS Russia
RW RWA Rwanda
BL BLM Saint Barthélemy
SH SHN Saint Helena, Ascension and Tristan da Cunha
KN KNA Saint Kitts and Nevis
LC LCA Saint Lucia
MF MAF Saint Martin (French part)
PM SPM Saint Pierre and Miquelon
VC VCT Saint Vincent and the Grenadines
WS WSM Samoa
SM SMR San Marino
ST STP Sao Tome and Principe
SA SAU Saudi Arabia
SN SEN Senegal
RS SRB Serbia
SC SYC Seychelles
SL SLE Sierra Leone
SG SGP Singapore
SX SXM Sint Maarten (Dutch part)
SK SVK Slovakia
SI SVN Slovenia
SB SLB Solomon Islands
SO SOM Somalia
ZA ZAF South Africa
GS SGS South Georgia and the South Sandwich Islands
SS SSD South Sudan
ES ESP Spain
LK LKA Sri Lanka
SD SDN Sudan
SR SUR Suriname
SJ SJM Svalbard and Jan Mayen
SE SWE Sweden
CH CHE Switzerland
SY SYR Syria
TW TWN Taiwan
TJ TJK Tajikistan
TZ TZA Tanzania
TH THA Thailand
TL TLS Timor-Leste
TG TGO Togo
TK TKL Tokelau
TO TON Tonga
TT TTO Trinidad and Tobago
TN TUN Tunisia
TR TUR Türkiye
TM TKM Turkmenistan
TC TCA Turks and Caicos Islands
TV TUV Tuvalu
UG UGA Uganda
UA UKR Ukraine
AE ARE United Arab Emirates
GB GBR United Kingdom
US USA United States
UM UMI United States Minor Outlying Islands
UY URY Uruguay
UZ UZB Uzbekistan
VU VUT Vanuatu
VE VEN Venezuela
VN VNM Viet Nam
VG VGB Virgin Islands (British)
VI VIR Virgin Islands (U.S.)
WF WLF Wallis and Futuna
EH ESH Western Sahara
YE YEM Yemen
ZM ZMB Zambia
ZW ZWE Zimbabwe
`;

/**
 * Other names people write, by alpha-2: ISO's long forms, former names, and local spellings in the
 * languages of the destinations' markets (Portuguese, Spanish, German, French…).
 */
export const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  AE: ['UAE', 'U.A.E.', 'Emirates', 'Emirados Árabes Unidos', 'Emiratos Árabes Unidos'],
  AR: ['Argentine Republic'],
  AT: ['Österreich', 'Áustria', 'Autriche'],
  AU: ['Austrália', 'Australien', 'Australie'],
  BA: ['Bosnia', 'Bosnia-Herzegovina'],
  BE: ['België', 'Belgique', 'Bélgica', 'Belgien'],
  BN: ['Brunei'],
  BO: ['Bolivia, Plurinational State of', 'Plurinational State of Bolivia'],
  BQ: ['Caribbean Netherlands', 'Bonaire'],
  BR: ['Brasil', 'Brasilien', 'Brésil', 'Federative Republic of Brazil', 'República Federativa do Brasil'],
  BS: ['The Bahamas'],
  CA: ['Canadá', 'Kanada'],
  CC: ['Cocos Islands', 'Keeling Islands'],
  CD: ['DR Congo', 'DRC', 'Congo-Kinshasa', 'Congo, Democratic Republic of the', 'Democratic Republic of Congo', 'Zaire'],
  CG: ['Republic of the Congo', 'Congo-Brazzaville', 'Congo, Republic of the'],
  CH: ['Schweiz', 'Suisse', 'Svizzera', 'Suíça', 'Suiza'],
  CI: ['Ivory Coast', 'Cote dIvoire', 'Costa do Marfim', 'Costa de Marfil'],
  CL: ['Chili'],
  CN: ['中国', "People's Republic of China", 'PRC', 'Chine'],
  CO: ['Colômbia', 'Kolumbien', 'Colombie'],
  CV: ['Cape Verde'],
  CZ: ['Czech Republic', 'Česko', 'Tchéquia', 'Chéquia', 'República Checa', 'Tschechien'],
  DE: ['Deutschland', 'Alemanha', 'Alemania', 'Allemagne', 'Germania', 'Federal Republic of Germany'],
  DK: ['Danmark', 'Dinamarca', 'Dänemark'],
  DO: ['República Dominicana'],
  EC: ['Equador', 'Équateur'],
  EE: ['Eesti'],
  EG: ['Egito', 'Egipto', 'Ägypten'],
  ES: ['España', 'Espanha', 'Espagne', 'Spanien', 'Spagna'],
  FI: ['Suomi', 'Finlândia', 'Finlandia'],
  FK: ['Falkland Islands', 'Falklands', 'Malvinas', 'Islas Malvinas'],
  FM: ['Micronesia, Federated States of', 'Federated States of Micronesia'],
  FR: ['França', 'Francia', 'Frankreich', 'French Republic'],
  GB: ['UK', 'U.K.', 'Great Britain', 'Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland',
    'United Kingdom of Great Britain and Northern Ireland', 'Reino Unido', 'Royaume-Uni', 'Vereinigtes Königreich',
    'Inglaterra', 'Grã-Bretanha', 'Gran Bretaña'],
  GF: ['Guiana Francesa', 'Guayana Francesa', 'Guyane'],
  GM: ['The Gambia'],
  GR: ['Grécia', 'Grecia', 'Griechenland', 'Grèce', 'Ελλάδα', 'Hellas'],
  HR: ['Hrvatska'],
  HU: ['Magyarország', 'Hungria', 'Hungría', 'Ungarn'],
  IE: ['Éire', 'Irlanda', 'Irland', 'Republic of Ireland'],
  IN: ['Índia', 'Indien', 'Inde', 'भारत', 'Bharat'],
  IR: ['Iran, Islamic Republic of', 'Islamic Republic of Iran', 'Persia'],
  IS: ['Ísland'],
  IT: ['Italia', 'Itália', 'Italie', 'Italien'],
  JP: ['日本', 'Japão', 'Japón', 'Japon'],
  KN: ['Saint Kitts', 'St Kitts and Nevis', 'St. Kitts and Nevis'],
  KP: ["Democratic People's Republic of Korea", "Korea, Democratic People's Republic of", 'DPRK'],
  KR: ['Korea', 'Korea, Republic of', 'Republic of Korea', '대한민국', '한국', 'Coreia do Sul', 'Corea del Sur', 'Südkorea'],
  LA: ["Lao People's Democratic Republic", 'Lao PDR'],
  LC: ['St Lucia', 'St. Lucia'],
  LT: ['Lietuva'],
  LV: ['Latvija'],
  MA: ['Marrocos', 'Marruecos', 'Maroc', 'Marokko'],
  MD: ['Moldova, Republic of', 'Republic of Moldova'],
  MF: ['Saint Martin', 'St Martin', 'St. Martin'],
  MK: ['Macedonia', 'Republic of North Macedonia', 'The former Yugoslav Republic of Macedonia', 'FYROM'],
  MM: ['Burma'],
  MO: ['Macau'],
  MX: ['México', 'Mexique', 'Mexiko', 'Estados Unidos Mexicanos', 'United Mexican States'],
  MZ: ['Moçambique'],
  NL: ['The Netherlands', 'Holland', 'Nederland', 'Holanda', 'Países Baixos', 'Países Bajos', 'Pays-Bas', 'Niederlande'],
  NO: ['Norge', 'Noruega', 'Norwegen', 'Norvège'],
  NZ: ['Nova Zelândia', 'Nueva Zelanda', 'Neuseeland', 'Aotearoa'],
  PE: ['Perú', 'Pérou'],
  PL: ['Polska', 'Polônia', 'Polonia', 'Polen', 'Pologne'],
  PS: ['Palestine, State of', 'State of Palestine', 'Palestinian Territories'],
  PT: ['Portuguese Republic'],
  PY: ['Paraguai'],
  RO: ['România'],
  RS: ['Srbija', 'Србија'],
  RU: ['Russian Federation', 'Россия', 'Rússia', 'Rusia', 'Russland', 'Russie'],
  SA: ['Arábia Saudita', 'Arabia Saudita', 'Saudi-Arabien', 'KSA'],
  SE: ['Sverige', 'Suécia', 'Suecia', 'Schweden', 'Suède'],
  SG: ['Singapura', 'Singapur'],
  SI: ['Slovenija'],
  SK: ['Slovensko', 'Slovak Republic'],
  ST: ['São Tomé and Príncipe', 'Sao Tome'],
  SX: ['Sint Maarten'],
  SY: ['Syrian Arab Republic'],
  SZ: ['Swaziland'],
  TL: ['East Timor', 'Timor Leste'],
  TR: ['Turkey', 'Turquia', 'Turquía', 'Türkei', 'Turquie'],
  TT: ['Trinidad'],
  TW: ['Taiwan, Province of China', 'Republic of China', '台灣', '台湾'],
  TZ: ['Tanzania, United Republic of', 'United Republic of Tanzania'],
  UA: ['Україна', 'Ucrânia', 'Ucrania'],
  US: ['USA', 'U.S.A.', 'U.S.', 'United States of America', 'America', 'Estados Unidos', 'Estados Unidos da América',
    'Estados Unidos de América', 'EUA', 'EEUU', 'EE.UU.', 'Vereinigte Staaten', 'États-Unis'],
  UY: ['Uruguai'],
  VA: ['Vatican', 'Vatican City', 'Vatican City State', 'Holy See (Vatican City State)'],
  VC: ['Saint Vincent', 'St Vincent and the Grenadines', 'St. Vincent and the Grenadines'],
  VE: ['Venezuela, Bolivarian Republic of', 'Bolivarian Republic of Venezuela'],
  VG: ['British Virgin Islands', 'BVI'],
  VI: ['US Virgin Islands', 'U.S. Virgin Islands', 'United States Virgin Islands'],
  VN: ['Vietnam', 'Vietnã', 'Vietname'],
  ZA: ['África do Sul', 'Sudáfrica', 'Südafrika', 'Afrique du Sud', 'RSA'],
};
