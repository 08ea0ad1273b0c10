/* lib/demo/words.c — the word lists behind the demo data (ASCII only, so that
 * lengths are the same in bytes and characters and emails need no transliteration).
 * Names: common given names and surnames; companies, streets and products are
 * combined from parts; cities come with a plausible postal code and country. */
#include "demo/internal.h"

static const char *const male_names_words[] = {
    "James",     "John",    "Robert",      "Michael",   "William", "David",   "Richard", "Joseph",
    "Thomas",    "Charles", "Christopher", "Daniel",    "Matthew", "Anthony", "Mark",    "Donald",
    "Steven",    "Paul",    "Andrew",      "Joshua",    "Kenneth", "Kevin",   "Brian",   "George",
    "Timothy",   "Ronald",  "Edward",      "Jason",     "Jeffrey", "Ryan",    "Jacob",   "Gary",
    "Nicholas",  "Eric",    "Jonathan",    "Stephen",   "Larry",   "Justin",  "Scott",   "Brandon",
    "Benjamin",  "Samuel",  "Gregory",     "Alexander", "Frank",   "Patrick", "Raymond", "Jack",
    "Dennis",    "Jerry",   "Tyler",       "Aaron",     "Jose",    "Adam",    "Nathan",  "Henry",
    "Douglas",   "Zachary", "Peter",       "Kyle",      "Ethan",   "Walter",  "Noah",    "Jeremy",
    "Christian", "Keith",   "Roger",       "Terry",     "Gerald",  "Harold",  "Sean",    "Austin",
    "Carl",      "Arthur",  "Lawrence",    "Dylan",     "Jesse",   "Jordan",  "Bryan",   "Billy",
    "Joe",       "Bruce",   "Gabriel",     "Logan",     "Albert",  "Willie",  "Alan",    "Juan",
    "Wayne",     "Elijah",  "Randy",       "Roy",       "Vincent", "Ralph",   "Eugene",  "Russell",
    "Bobby",     "Mason",   "Philip",      "Louis",     "Liam",    "Lucas",   "Oliver",  "Hugo",
    "Mateo",     "Luca",    "Felix",       "Oscar",     "Theo",    "Leon",    "Ivan",    "Marco",
    "Pablo",     "Diego",   "Omar",        "Hassan",    "Ravi",    "Arjun",   "Kenji",   "Hiroshi",
    "Wei",       "Jun",
};
const oro_demo_words_t oro_demo_male_names = {male_names_words,
                                              sizeof male_names_words / sizeof male_names_words[0]};

static const char *const female_names_words[] = {
    "Mary",      "Patricia", "Jennifer", "Linda",     "Elizabeth",  "Barbara",   "Susan",
    "Jessica",   "Sarah",    "Karen",    "Lisa",      "Nancy",      "Betty",     "Margaret",
    "Sandra",    "Ashley",   "Kimberly", "Emily",     "Donna",      "Michelle",  "Carol",
    "Amanda",    "Dorothy",  "Melissa",  "Deborah",   "Stephanie",  "Rebecca",   "Sharon",
    "Laura",     "Cynthia",  "Kathleen", "Amy",       "Angela",     "Shirley",   "Anna",
    "Brenda",    "Pamela",   "Emma",     "Nicole",    "Helen",      "Samantha",  "Katherine",
    "Christine", "Debra",    "Rachel",   "Carolyn",   "Janet",      "Catherine", "Maria",
    "Heather",   "Diane",    "Ruth",     "Julie",     "Olivia",     "Joyce",     "Virginia",
    "Victoria",  "Kelly",    "Lauren",   "Christina", "Joan",       "Evelyn",    "Judith",
    "Megan",     "Andrea",   "Cheryl",   "Hannah",    "Jacqueline", "Martha",    "Gloria",
    "Teresa",    "Ann",      "Sara",     "Madison",   "Frances",    "Kathryn",   "Janice",
    "Jean",      "Abigail",  "Alice",    "Judy",      "Sophia",     "Grace",     "Denise",
    "Amber",     "Doris",    "Marilyn",  "Danielle",  "Beverly",    "Isabella",  "Theresa",
    "Diana",     "Natalie",  "Brittany", "Charlotte", "Marie",      "Kayla",     "Alexis",
    "Lori",      "Chloe",    "Mia",      "Ava",       "Zoe",        "Lena",      "Elena",
    "Sofia",     "Camila",   "Lucia",    "Ingrid",    "Freya",      "Aisha",     "Fatima",
    "Priya",     "Ananya",   "Yuki",     "Mei",       "Ling",
};
const oro_demo_words_t oro_demo_female_names = {
    female_names_words, sizeof female_names_words / sizeof female_names_words[0]};

static const char *const last_names_words[] = {
    "Smith",     "Johnson",   "Williams",   "Brown",     "Jones",      "Garcia",    "Miller",
    "Davis",     "Rodriguez", "Martinez",   "Hernandez", "Lopez",      "Gonzalez",  "Wilson",
    "Anderson",  "Thomas",    "Taylor",     "Moore",     "Jackson",    "Martin",    "Lee",
    "Perez",     "Thompson",  "White",      "Harris",    "Sanchez",    "Clark",     "Ramirez",
    "Lewis",     "Robinson",  "Walker",     "Young",     "Allen",      "King",      "Wright",
    "Scott",     "Torres",    "Nguyen",     "Hill",      "Flores",     "Green",     "Adams",
    "Nelson",    "Baker",     "Hall",       "Rivera",    "Campbell",   "Mitchell",  "Carter",
    "Roberts",   "Gomez",     "Phillips",   "Evans",     "Turner",     "Diaz",      "Parker",
    "Cruz",      "Edwards",   "Collins",    "Reyes",     "Stewart",    "Morris",    "Morales",
    "Murphy",    "Cook",      "Rogers",     "Gutierrez", "Ortiz",      "Morgan",    "Cooper",
    "Peterson",  "Bailey",    "Reed",       "Kelly",     "Howard",     "Ramos",     "Kim",
    "Cox",       "Ward",      "Richardson", "Watson",    "Brooks",     "Chavez",    "Wood",
    "James",     "Bennett",   "Gray",       "Mendoza",   "Ruiz",       "Hughes",    "Price",
    "Alvarez",   "Castillo",  "Sanders",    "Patel",     "Myers",      "Long",      "Ross",
    "Foster",    "Jimenez",   "Powell",     "Jenkins",   "Perry",      "Russell",   "Sullivan",
    "Bell",      "Coleman",   "Butler",     "Henderson", "Barnes",     "Gonzales",  "Fisher",
    "Vasquez",   "Simmons",   "Romero",     "Jordan",    "Patterson",  "Alexander", "Hamilton",
    "Graham",    "Reynolds",  "Griffin",    "Wallace",   "Moreno",     "West",      "Cole",
    "Hayes",     "Bryant",    "Herrera",    "Gibson",    "Ellis",      "Tran",      "Medina",
    "Aguilar",   "Stevens",   "Murray",     "Ford",      "Castro",     "Marshall",  "Owens",
    "Harrison",  "Fernandez", "McDonald",   "Woods",     "Washington", "Kennedy",   "Wells",
    "Vargas",    "Henry",     "Chen",       "Freeman",   "Webb",       "Tucker",    "Guzman",
    "Burns",     "Crawford",  "Olson",      "Simpson",   "Porter",     "Hunter",    "Gordon",
    "Mendez",    "Silva",     "Shaw",       "Snyder",    "Mason",      "Dixon",     "Munoz",
    "Hunt",      "Hicks",     "Holmes",     "Palmer",    "Wagner",     "Black",     "Robertson",
    "Boyd",      "Rose",      "Stone",      "Salazar",   "Fox",        "Warren",    "Mills",
    "Meyer",     "Rice",      "Schmidt",    "Garza",     "Daniels",    "Ferguson",  "Nichols",
    "Stephens",  "Soto",      "Weaver",     "Ryan",      "Gardner",    "Payne",     "Grant",
    "Dunn",      "Kelley",    "Spencer",    "Hawkins",   "Arnold",     "Pierce",    "Hansen",
    "Peters",    "Santos",    "Hart",       "Bradley",   "Knight",     "Elliott",   "Cunningham",
    "Duncan",    "Armstrong", "Hudson",     "Carroll",   "Lane",       "Riley",     "Andrews",
    "Ray",       "Berry",     "Perkins",    "Hoffman",   "Johnston",   "Matthews",  "Pena",
    "Richards",  "Willis",    "Carpenter",  "Lawrence",  "Sandoval",   "Becker",    "Muller",
    "Schneider", "Fischer",   "Weber",      "Rossi",     "Bianchi",    "Dubois",    "Laurent",
    "Novak",     "Kowalski",  "Jansen",     "Larsen",    "Nielsen",    "Tanaka",    "Suzuki",
    "Sato",      "Wang",      "Zhang",      "Singh",     "Kumar",      "Sharma",    "Okafor",
    "Mensah",
};
const oro_demo_words_t oro_demo_last_names = {last_names_words,
                                              sizeof last_names_words / sizeof last_names_words[0]};

static const char *const company_words_words[] = {
    "Acme",    "Apex",      "Atlas",  "Aurora",   "Beacon",   "Blue",      "Bright",
    "Cascade", "Cedar",     "Summit", "Crest",    "Crystal",  "Delta",     "Eagle",
    "Echo",    "Evergreen", "Falcon", "Frontier", "Global",   "Golden",    "Granite",
    "Harbor",  "Horizon",   "Iron",   "Keystone", "Lakeside", "Liberty",   "Lighthouse",
    "Maple",   "Meridian",  "Metro",  "Monarch",  "Nova",     "Northwind", "Oak",
    "Orion",   "Pacific",   "Peak",   "Pinnacle", "Pioneer",  "Prairie",   "Prime",
    "Quantum", "Redwood",   "Ridge",  "River",    "Rocky",    "Sapphire",  "Sierra",
    "Silver",  "Sterling",  "Stone",  "Sun",      "Titan",    "Trinity",   "Union",
    "Valley",  "Vertex",    "Vista",  "Western",  "Willow",   "Zenith",
};
const oro_demo_words_t oro_demo_company_words = {
    company_words_words, sizeof company_words_words / sizeof company_words_words[0]};

static const char *const company_kinds_words[] = {
    "Logistics",  "Systems",       "Solutions",   "Industries", "Foods",      "Health",
    "Labs",       "Software",      "Analytics",   "Motors",     "Energy",     "Capital",
    "Consulting", "Manufacturing", "Supply",      "Retail",     "Media",      "Networks",
    "Pharma",     "Construction",  "Design",      "Partners",   "Outfitters", "Brewing",
    "Textiles",   "Robotics",      "Electronics", "Freight",    "Dynamics",
};
const oro_demo_words_t oro_demo_company_kinds = {
    company_kinds_words, sizeof company_kinds_words / sizeof company_kinds_words[0]};

static const char *const company_suffixes_words[] = {
    "Inc.", "LLC", "Ltd.", "Group", "Co.", "Corp.", "GmbH", "S.A.", "& Co.", "Holdings",
};
const oro_demo_words_t oro_demo_company_suffixes = {
    company_suffixes_words, sizeof company_suffixes_words / sizeof company_suffixes_words[0]};

static const char *const streets_words[] = {
    "Main",     "Oak",      "Pine",     "Maple",    "Cedar",     "Elm",      "Washington",
    "Lake",     "Hill",     "Park",     "Sunset",   "Lincoln",   "Jackson",  "Church",
    "River",    "Highland", "Forest",   "Spring",   "Meadow",    "Ridge",    "Willow",
    "Chestnut", "Walnut",   "Cherry",   "Franklin", "Jefferson", "Madison",  "Adams",
    "Market",   "Broad",    "Mill",     "Bridge",   "Station",   "Harbor",   "Valley",
    "Lakeview", "Center",   "Union",    "Mountain", "Orchard",   "Prospect", "Railroad",
    "Cottage",  "Garden",   "Victoria", "Queen",    "King",      "Kingston", "Albert",
    "Mulberry", "Birch",    "Poplar",   "Dogwood",  "Magnolia",
};
const oro_demo_words_t oro_demo_streets = {streets_words,
                                           sizeof streets_words / sizeof streets_words[0]};

static const char *const street_kinds_words[] = {
    "Street", "Avenue", "Road", "Lane", "Boulevard", "Drive", "Way", "Court", "Place", "Terrace",
};
const oro_demo_words_t oro_demo_street_kinds = {
    street_kinds_words, sizeof street_kinds_words / sizeof street_kinds_words[0]};

static const char *const job_titles_words[] = {
    "Account Manager",
    "Accountant",
    "Administrative Assistant",
    "Art Director",
    "Business Analyst",
    "Buyer",
    "Chief Executive Officer",
    "Chief Financial Officer",
    "Chief Technology Officer",
    "Chief Operating Officer",
    "Customer Success Manager",
    "Data Analyst",
    "Data Engineer",
    "Designer",
    "Director of Engineering",
    "Director of Marketing",
    "Director of Sales",
    "Engineer",
    "Facilities Manager",
    "Financial Analyst",
    "Founder",
    "General Counsel",
    "Head of Procurement",
    "HR Manager",
    "IT Administrator",
    "Logistics Coordinator",
    "Marketing Manager",
    "Marketing Specialist",
    "Office Manager",
    "Operations Manager",
    "Owner",
    "Partner",
    "Product Manager",
    "Project Manager",
    "Purchasing Agent",
    "Quality Assurance Manager",
    "Recruiter",
    "Regional Manager",
    "Sales Associate",
    "Sales Representative",
    "Senior Consultant",
    "Software Developer",
    "Store Manager",
    "Supply Chain Manager",
    "Support Specialist",
    "Systems Architect",
    "Team Lead",
    "Technical Writer",
    "Vice President of Sales",
    "Warehouse Supervisor",
};
const oro_demo_words_t oro_demo_job_titles = {job_titles_words,
                                              sizeof job_titles_words / sizeof job_titles_words[0]};

static const char *const product_adjectives_words[] = {
    "Classic",   "Compact",      "Deluxe",    "Durable",  "Eco",        "Elegant",
    "Ergonomic", "Essential",    "Executive", "Flexible", "Heavy-Duty", "Lightweight",
    "Modern",    "Portable",     "Premium",   "Pro",      "Rugged",     "Sleek",
    "Smart",     "Standard",     "Ultra",     "Vintage",  "Wireless",   "Advanced",
    "Basic",     "Professional", "Practical", "Rustic",   "Refined",    "Handcrafted",
};
const oro_demo_words_t oro_demo_product_adjectives = {
    product_adjectives_words, sizeof product_adjectives_words / sizeof product_adjectives_words[0]};

static const char *const product_materials_words[] = {
    "Aluminum", "Bamboo",  "Brass", "Canvas",   "Carbon", "Ceramic", "Copper", "Cotton", "Glass",
    "Granite",  "Leather", "Linen", "Marble",   "Oak",    "Plastic", "Rubber", "Silk",   "Steel",
    "Titanium", "Walnut",  "Wool",  "Concrete", "Bronze", "Cork",    "Nylon",
};
const oro_demo_words_t oro_demo_product_materials = {
    product_materials_words, sizeof product_materials_words / sizeof product_materials_words[0]};

static const char *const product_nouns_words[] = {
    "Chair",   "Desk",       "Lamp",    "Table",  "Bottle",  "Backpack",  "Notebook", "Keyboard",
    "Mouse",   "Monitor",    "Stand",   "Shelf",  "Cabinet", "Bench",     "Clock",    "Mug",
    "Speaker", "Headphones", "Charger", "Cable",  "Router",  "Printer",   "Scanner",  "Tablet",
    "Case",    "Wallet",     "Jacket",  "Gloves", "Hat",     "Boots",     "Tent",     "Blanket",
    "Pillow",  "Knife",      "Pan",     "Kettle", "Toaster", "Blender",   "Drill",    "Hammer",
    "Wrench",  "Saw",        "Ladder",  "Bucket", "Hose",    "Sprinkler", "Bicycle",  "Helmet",
    "Watch",   "Sunglasses",
};
const oro_demo_words_t oro_demo_product_nouns = {
    product_nouns_words, sizeof product_nouns_words / sizeof product_nouns_words[0]};

static const char *const sentences_words[] = {
    "Prefers contact by email.",
    "Met at the regional trade show.",
    "Interested in volume discounts.",
    "Renewal due next quarter.",
    "Asked for a product demo.",
    "Long-standing customer; handle with care.",
    "Referred by an existing partner.",
    "Evaluating competing offers.",
    "Budget approved for the next fiscal year.",
    "Requested a follow-up call in two weeks.",
    "Decision maker for purchasing.",
    "Needs integration with their ERP system.",
    "Price sensitive; emphasise total cost of ownership.",
    "Expanding to new locations this year.",
    "Satisfied with the last delivery.",
    "Please ship in a single delivery.",
    "Leave the parcel at the reception.",
    "Invoice to the accounting department.",
    "Call before delivery.",
    "Deliver on a weekday morning.",
};
const oro_demo_words_t oro_demo_sentences = {sentences_words,
                                             sizeof sentences_words / sizeof sentences_words[0]};

const oro_demo_city_t oro_demo_cities[] = {
    {"New York", "10001", "US"},     {"Los Angeles", "90012", "US"},
    {"Chicago", "60601", "US"},      {"Houston", "77002", "US"},
    {"Phoenix", "85004", "US"},      {"Philadelphia", "19103", "US"},
    {"San Antonio", "78205", "US"},  {"San Diego", "92101", "US"},
    {"Dallas", "75201", "US"},       {"Austin", "78701", "US"},
    {"Seattle", "98101", "US"},      {"Denver", "80202", "US"},
    {"Boston", "02108", "US"},       {"Atlanta", "30303", "US"},
    {"Miami", "33130", "US"},        {"Portland", "97204", "US"},
    {"Minneapolis", "55401", "US"},  {"Nashville", "37203", "US"},
    {"Detroit", "48226", "US"},      {"San Francisco", "94103", "US"},
    {"Toronto", "M5H 2N2", "CA"},    {"Vancouver", "V6B 1A1", "CA"},
    {"Montreal", "H2Y 1C6", "CA"},   {"Mexico City", "06000", "MX"},
    {"London", "EC1A 1BB", "GB"},    {"Manchester", "M1 1AE", "GB"},
    {"Edinburgh", "EH1 1YZ", "GB"},  {"Dublin", "D02 X285", "IE"},
    {"Paris", "75001", "FR"},        {"Lyon", "69001", "FR"},
    {"Berlin", "10115", "DE"},       {"Munich", "80331", "DE"},
    {"Hamburg", "20095", "DE"},      {"Vienna", "1010", "AT"},
    {"Zurich", "8001", "CH"},        {"Amsterdam", "1012 JS", "NL"},
    {"Brussels", "1000", "BE"},      {"Madrid", "28013", "ES"},
    {"Barcelona", "08002", "ES"},    {"Lisbon", "1100-148", "PT"},
    {"Rome", "00184", "IT"},         {"Milan", "20121", "IT"},
    {"Stockholm", "111 29", "SE"},   {"Copenhagen", "1050", "DK"},
    {"Oslo", "0150", "NO"},          {"Helsinki", "00100", "FI"},
    {"Warsaw", "00-001", "PL"},      {"Prague", "110 00", "CZ"},
    {"Tokyo", "100-0001", "JP"},     {"Sydney", "2000", "AU"},
    {"Melbourne", "3000", "AU"},     {"Auckland", "1010", "NZ"},
    {"Singapore", "048616", "SG"},   {"Sao Paulo", "01001-000", "BR"},
    {"Buenos Aires", "C1002", "AR"},
};
const size_t oro_demo_city_count = sizeof oro_demo_cities / sizeof oro_demo_cities[0];
