// Made-up sample data for generateReferrals: companies, people and places across countries.
// Domains include IDN (`.de` umlauts, `.рф`) and multi-level public suffixes (`.co.uk`, …).

/** One country's sample data. */
export interface CountrySample {
  code: string;
  region: string;
  currency: string;
  locale: string;
  phone: string;
  /** Public suffix of company domains, without the leading dot. */
  suffix: string;
  cities: readonly (readonly [city: string, state: string, postalCode: string])[];
  streets: readonly string[];
  firstNames: readonly string[];
  lastNames: readonly string[];
  companies: readonly string[];
  legalForms: readonly string[];
  /** Legal form before the name (`ООО «…»`). */
  legalFormFirst?: boolean;
  consumerDomains: readonly string[];
}

export const COUNTRIES: readonly CountrySample[] = [
  {
    code: "US", region: "North America", currency: "USD", locale: "en-US", phone: "+1 512 555", suffix: "com",
    cities: [["Austin", "TX", "78701"], ["Seattle", "WA", "98101"], ["Chicago", "IL", "60601"], ["Boston", "MA", "02110"]],
    streets: ["Congress Ave", "Pine St", "Wacker Dr", "Atlantic Ave"],
    firstNames: ["Priya", "James", "Maria", "Kevin", "Aisha", "Tyler"],
    lastNames: ["Nair", "Walker", "Garcia", "Chen", "Johnson", "Brooks"],
    companies: ["Kestrel Analytics", "Cobalt Ridge Software", "Prairie Dental Group", "Ironwood Fabrication", "Lakeshore Credit Union"],
    legalForms: ["Inc", "LLC", "Corp"], consumerDomains: ["gmail.com", "yahoo.com", "aol.com"],
  },
  {
    code: "GB", region: "Europe", currency: "GBP", locale: "en-GB", phone: "+44 20 7946", suffix: "co.uk",
    cities: [["London", "", "EC1A 1BB"], ["Manchester", "", "M1 1AE"], ["Leeds", "", "LS1 4AP"]],
    streets: ["Old Street", "Deansgate", "Park Row"],
    firstNames: ["Oliver", "Amelia", "Harry", "Isla", "Rahul"],
    lastNames: ["Smith", "Taylor", "Hughes", "Patel", "Evans"],
    companies: ["Bright Dental", "Thames Valley Surveyors", "Oakleaf Accountancy", "Pennine Outdoor"],
    legalForms: ["Ltd", "PLC"], consumerDomains: ["btinternet.com", "hotmail.co.uk"],
  },
  {
    code: "DE", region: "Europe", currency: "EUR", locale: "de-DE", phone: "+49 40 555", suffix: "de",
    cities: [["Hamburg", "HH", "20457"], ["München", "BY", "80331"], ["Köln", "NW", "50667"], ["Berlin", "BE", "10115"]],
    streets: ["Hafenstrasse", "Schillerstraße", "Domkloster", "Friedrichstraße"],
    firstNames: ["Jana", "Lukas", "Sophie", "Jürgen", "Emma"],
    lastNames: ["Krüger", "Müller", "Schröder", "Weber", "Becker"],
    companies: ["Alpenblick Logistik", "Müller Bau", "Grünwald Energie", "Bäckerei Schröder", "Rheintal Maschinenbau"],
    legalForms: ["GmbH", "AG", "GmbH & Co. KG"], consumerDomains: ["gmx.de", "web.de", "t-online.de"],
  },
  {
    code: "FR", region: "Europe", currency: "EUR", locale: "fr-FR", phone: "+33 1 55 55", suffix: "fr",
    cities: [["Paris", "", "75002"], ["Lyon", "", "69002"], ["Bordeaux", "", "33000"]],
    streets: ["Rue de la Paix", "Quai Saint-Antoine", "Cours de l'Intendance"],
    firstNames: ["Camille", "Louis", "Chloé", "Hugo"],
    lastNames: ["Durand", "Lefèvre", "Moreau", "Bernard"],
    companies: ["Atelier Lumière", "Vignobles Durand", "Côte Numérique"],
    legalForms: ["SAS", "SARL"], consumerDomains: ["orange.fr", "free.fr"],
  },
  {
    code: "JP", region: "Asia", currency: "JPY", locale: "ja-JP", phone: "+81 3 5555", suffix: "co.jp",
    cities: [["Tokyo", "Tokyo", "100-0005"], ["Osaka", "Osaka", "530-0001"]],
    streets: ["Marunouchi 1-1", "Umeda 2-4"],
    firstNames: ["Haruto", "Yui", "Sota", "Aoi"],
    lastNames: ["Sato", "Suzuki", "Takahashi", "Tanaka"],
    companies: ["Sakura Robotics", "Kumo Systems", "Hinode Trading"],
    legalForms: ["K.K.", "Co., Ltd."], consumerDomains: ["yahoo.co.jp", "docomo.ne.jp"],
  },
  {
    code: "AU", region: "Asia Pacific", currency: "AUD", locale: "en-AU", phone: "+61 2 5550", suffix: "com.au",
    cities: [["Sydney", "NSW", "2000"], ["Melbourne", "VIC", "3000"], ["Brisbane", "QLD", "4000"]],
    streets: ["George St", "Collins St", "Queen St"],
    firstNames: ["Jack", "Charlotte", "Noah", "Mia"],
    lastNames: ["Wilson", "Nguyen", "Kelly", "Murphy"],
    companies: ["Coral Coast Tourism", "Outback Solar", "Wattle Finance"],
    legalForms: ["Pty Ltd"], consumerDomains: ["bigpond.com", "optusnet.com.au"],
  },
  {
    code: "NZ", region: "Asia Pacific", currency: "NZD", locale: "en-NZ", phone: "+64 9 555", suffix: "co.nz",
    cities: [["Auckland", "", "1010"], ["Wellington", "", "6011"]],
    streets: ["Queen Street", "Lambton Quay"],
    firstNames: ["Tom", "Aroha", "Liam", "Ruby"],
    lastNames: ["Hale", "Ngata", "Thompson", "Clarke"],
    companies: ["Pacifica Foods", "Kiwi Fleet Services"],
    legalForms: ["Ltd"], consumerDomains: ["xtra.co.nz"],
  },
  {
    code: "RU", region: "Europe", currency: "RUB", locale: "ru-RU", phone: "+7 495 555", suffix: "рф",
    cities: [["Москва", "", "101000"], ["Санкт-Петербург", "", "190000"]],
    streets: ["ул. Тверская", "Невский проспект"],
    firstNames: ["Алексей", "Мария", "Дмитрий", "Ольга"],
    lastNames: ["Смирнов", "Иванова", "Кузнецов", "Попова"],
    companies: ["Север Строй", "Волга Логистика", "Байкал Софт"],
    legalForms: ["ООО", "АО"], legalFormFirst: true, consumerDomains: ["yandex.ru", "mail.ru"],
  },
  {
    code: "BR", region: "Latin America", currency: "BRL", locale: "pt-BR", phone: "+55 11 5555", suffix: "com.br",
    cities: [["São Paulo", "SP", "01310-100"], ["Rio de Janeiro", "RJ", "20040-020"]],
    streets: ["Avenida Paulista", "Rua da Assembleia"],
    firstNames: ["Lucas", "Ana", "Gabriel", "Beatriz"],
    lastNames: ["Silva", "Santos", "Oliveira", "Souza"],
    companies: ["Ipê Tecnologia", "Litoral Alimentos"],
    legalForms: ["Ltda."], consumerDomains: ["uol.com.br", "bol.com.br"],
  },
  {
    code: "IN", region: "Asia", currency: "INR", locale: "en-IN", phone: "+91 80 5555", suffix: "co.in",
    cities: [["Bengaluru", "KA", "560001"], ["Mumbai", "MH", "400001"]],
    streets: ["MG Road", "Nariman Point"],
    firstNames: ["Arjun", "Ananya", "Vikram", "Sneha"],
    lastNames: ["Sharma", "Iyer", "Reddy", "Kapoor"],
    companies: ["Lotus Fintech", "Ganga Textiles", "Deccan Diagnostics"],
    legalForms: ["Pvt Ltd"], consumerDomains: ["rediffmail.com"],
  },
  {
    code: "NO", region: "Europe", currency: "NOK", locale: "nb-NO", phone: "+47 55 55", suffix: "no",
    cities: [["Bergen", "", "5003"], ["Oslo", "", "0150"]],
    streets: ["Bryggen", "Karl Johans gate"],
    firstNames: ["Ingrid", "Ola", "Sindre", "Nora"],
    lastNames: ["Berg", "Hansen", "Johansen", "Larsen"],
    companies: ["Fjord Energy", "Nordlys Shipping"],
    legalForms: ["AS", "ASA"], consumerDomains: ["online.no"],
  },
  {
    code: "CA", region: "North America", currency: "CAD", locale: "en-CA", phone: "+1 416 555", suffix: "ca",
    cities: [["Toronto", "ON", "M5H 2N2"], ["Vancouver", "BC", "V6B 1A1"]],
    streets: ["King St W", "Granville St"],
    firstNames: ["Ethan", "Olivia", "Liam", "Chloe"],
    lastNames: ["Tremblay", "Roy", "MacDonald", "Singh"],
    companies: ["Northern Pike Outfitters", "Birchwood Clinics"],
    legalForms: ["Inc.", "Ltd."], consumerDomains: ["shaw.ca", "rogers.com"],
  },
];

/** Free mailbox providers used worldwide. */
export const GLOBAL_CONSUMER_DOMAINS = ["gmail.com", "outlook.com", "hotmail.com", "icloud.com", "yahoo.com"] as const;

export const CUSTOMER_SIZES = [
  "1to9employees", "10to50employees", "51to250employees", "251to1000employees",
  "1001to5000employees", "5001to10000employees", "10001to20000employees", "Morethan20000employees",
] as const;

export const ASSISTANCE_CODES = [
  "Unknown", "GeneralOrOther", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo",
  "QuotesOrLicensing", "PostSalesCustomerSuccess", "WorkloadSpecificValueProposition",
] as const;

export const SALES_STAGES = ["Qualify", "Develop", "Propose", "Close"] as const;
export const PRODUCTS = ["Azure", "Microsoft365", "Dynamics365Enterprise", "PowerBI", "Teams", "Windows365"] as const;
export const SERVICES = ["ConsultingAndProfessional", "DeploymentOrMigration", "ManagedServices", "Training"] as const;
export const INDUSTRIES = ["Financial Services", "Healthcare", "Manufacturing", "Retail", "Education", "Government"] as const;
export const SOLUTIONS = [
  { id: "SAPonAzure", name: "SAP on Azure", type: "Category" },
  { id: "ModernWork", name: "Modern Work", type: "Category" },
  { id: "a3f1c2d4-copilot-readiness", name: "Copilot Readiness Assessment", type: "Name" },
  { id: "general", name: "General", type: "None" },
] as const;
export const PROJECTS = ["Azure migration", "Copilot rollout", "Microsoft 365 setup", "Data platform", "Dynamics 365 CRM", "Security assessment"] as const;
export const MARKETPLACE_SOURCES = ["AppSource", "AzureMarketplace", "AzurePortal"] as const;
export const CALLS_TO_ACTION = ["ContactMe", "GetItNow", "TestDrive", "FreeTrial"] as const;
export const MARKETPLACE_INTENTS = ["Yes", "No"] as const;
export const INVITING_PARTNERS = [
  { organizationId: "5b6c7d8e-9f01-4a2b-8c3d-4e5f60718293", organizationName: "Contoso Advisory Services" },
  { organizationId: "6c7d8e9f-0a12-4b3c-9d4e-5f6071829304", organizationName: "Fabrikam Consulting" },
] as const;
export const PARTNER_ORG = { organizationId: "7d23e5ca-19dc-4eaa-aac8-5e6b559f0d1d", organizationName: "Northwind Cloud Partners" } as const;
export const PARTNER_SELLERS = [["Ola", "Nordmann"], ["Grace", "Okafor"], ["Daniel", "Weiss"]] as const;
export const MICROSOFT_SELLERS = [["Sam", "Reyes"], ["Mei", "Lin"], ["Jonas", "Eriksson"], ["Fatima", "Haddad"]] as const;
export const DECLINE_REASONS = ["Outside our service region", "No capacity this quarter", "Customer unresponsive", "Chose another partner"] as const;
