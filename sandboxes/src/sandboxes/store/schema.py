"""The sandbox store's tables: one SQLite database per vendor plus one for the simulator.

This file is the contract between the firm simulator (which fills the tables) and the
three vendor servers (which serve and modify them). Column names follow each vendor's
own field names, so a server maps a request onto a table without a translation layer.

Conventions, the same in every database:
- Timestamps are INTEGER epoch milliseconds UTC (`*_ms`-free names, as the vendor names
  them). Each vendor keeps its own precision: Salesforce milliseconds, Harvest and
  NetSuite whole seconds (the value is a multiple of 1000). Servers format them in the
  vendor's wire format (see `sandboxes.common.timefmt`).
- Dates without a time are TEXT `YYYY-MM-DD`.
- Booleans are INTEGER 0/1.
- Money and hours are REAL.
"""

SALESFORCE = """
-- Every sObject table has: rowid, Id (18-char), IsDeleted, CreatedDate, LastModifiedDate,
-- SystemModstamp, and DeletedDate (not a Salesforce field: when it went to the recycle bin,
-- served by sobjects/{Obj}/deleted).
CREATE TABLE IF NOT EXISTS Account (
    rowid INTEGER PRIMARY KEY,
    Id TEXT NOT NULL UNIQUE,
    Name TEXT NOT NULL,
    Type TEXT,
    ParentId TEXT,
    Website TEXT,
    Phone TEXT,
    Industry TEXT,
    BillingStreet TEXT,
    BillingCity TEXT,
    BillingPostalCode TEXT,
    BillingCountry TEXT,
    CurrencyIsoCode TEXT,
    Tax_ID__c TEXT,
    Payment_Terms__c TEXT,
    Region__c TEXT,
    NetSuite_Customer_Id__c TEXT,
    Harvest_Client_Id__c TEXT,
    Concord_Golden_Id__c TEXT,           -- external-ID field (upsert key)
    AR_Balance__c REAL,                  -- written back from the ERP
    Invoice_Status__c TEXT,              -- written back from the ERP
    IsDeleted INTEGER NOT NULL DEFAULT 0,
    CreatedDate INTEGER NOT NULL,
    LastModifiedDate INTEGER NOT NULL,
    SystemModstamp INTEGER NOT NULL,
    DeletedDate INTEGER
);
CREATE TABLE IF NOT EXISTS Opportunity (
    rowid INTEGER PRIMARY KEY,
    Id TEXT NOT NULL UNIQUE,
    AccountId TEXT,
    Name TEXT NOT NULL,
    StageName TEXT NOT NULL,             -- Prospecting, Qualification, Proposal, Negotiation, Closed Won, Closed Lost
    Amount REAL,
    Probability REAL,
    CloseDate TEXT NOT NULL,
    IsClosed INTEGER NOT NULL DEFAULT 0,
    IsWon INTEGER NOT NULL DEFAULT 0,
    Type TEXT,
    CurrencyIsoCode TEXT,
    Service_Line__c TEXT,
    Legal_Entity__c TEXT,                -- contracting subsidiary name, e.g. 'Concord Consulting Ltd (UK)'
    Opportunity_Number__c TEXT,          -- external-ID field, e.g. 'OPP-000123'
    Harvest_Project_Id__c TEXT,
    NetSuite_Project_Id__c TEXT,
    Delivery_Status__c TEXT,             -- written back from the PSA
    IsDeleted INTEGER NOT NULL DEFAULT 0,
    CreatedDate INTEGER NOT NULL,
    LastModifiedDate INTEGER NOT NULL,
    SystemModstamp INTEGER NOT NULL,
    DeletedDate INTEGER
);
CREATE TABLE IF NOT EXISTS OpportunityLineItem (
    rowid INTEGER PRIMARY KEY,
    Id TEXT NOT NULL UNIQUE,
    OpportunityId TEXT NOT NULL,
    Name TEXT,
    Role__c TEXT NOT NULL,               -- sold role, e.g. 'Senior Consultant'
    Quantity REAL NOT NULL,              -- hours
    UnitPrice REAL NOT NULL,             -- hourly rate
    TotalPrice REAL,
    ServiceDate TEXT,
    Description TEXT,
    IsDeleted INTEGER NOT NULL DEFAULT 0,
    CreatedDate INTEGER NOT NULL,
    LastModifiedDate INTEGER NOT NULL,
    SystemModstamp INTEGER NOT NULL,
    DeletedDate INTEGER
);
CREATE TABLE IF NOT EXISTS Contract (
    rowid INTEGER PRIMARY KEY,
    Id TEXT NOT NULL UNIQUE,
    AccountId TEXT NOT NULL,
    ContractNumber TEXT NOT NULL,
    Status TEXT NOT NULL,                -- Draft, Activated, Expired
    StartDate TEXT,
    EndDate TEXT,
    ContractTerm INTEGER,                -- months
    CurrencyIsoCode TEXT,
    Opportunity__c TEXT,
    Legal_Entity__c TEXT,
    Payment_Terms__c TEXT,
    IsDeleted INTEGER NOT NULL DEFAULT 0,
    CreatedDate INTEGER NOT NULL,
    LastModifiedDate INTEGER NOT NULL,
    SystemModstamp INTEGER NOT NULL,
    DeletedDate INTEGER
);
-- Custom object: one row per role rate on a contract; amendments add rows with a later
-- Effective_Date__c and a higher Amendment_Number__c (0 = original contract).
CREATE TABLE IF NOT EXISTS Contract_Rate__c (
    rowid INTEGER PRIMARY KEY,
    Id TEXT NOT NULL UNIQUE,
    Name TEXT,
    Contract__c TEXT NOT NULL,
    Role__c TEXT NOT NULL,
    Rate__c REAL NOT NULL,
    CurrencyIsoCode TEXT,
    Effective_Date__c TEXT NOT NULL,
    Amendment_Number__c INTEGER NOT NULL DEFAULT 0,
    IsDeleted INTEGER NOT NULL DEFAULT 0,
    CreatedDate INTEGER NOT NULL,
    LastModifiedDate INTEGER NOT NULL,
    SystemModstamp INTEGER NOT NULL,
    DeletedDate INTEGER
);
CREATE INDEX IF NOT EXISTS account_modstamp ON Account(SystemModstamp);
CREATE INDEX IF NOT EXISTS opportunity_modstamp ON Opportunity(SystemModstamp);
CREATE INDEX IF NOT EXISTS oli_modstamp ON OpportunityLineItem(SystemModstamp);
CREATE INDEX IF NOT EXISTS contract_modstamp ON Contract(SystemModstamp);
CREATE INDEX IF NOT EXISTS contract_rate_modstamp ON Contract_Rate__c(SystemModstamp);
"""

HARVEST = """
-- Hard deletes: a deleted row is gone (deleting a project deletes its assignments,
-- time entries and expenses). Nested objects on the wire ({"client":{"id","name"}})
-- are joined from the id columns.
CREATE TABLE IF NOT EXISTS clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    address TEXT,
    statement_key TEXT,
    currency TEXT NOT NULL DEFAULT 'USD',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    code TEXT,                           -- Concord links projects to opportunities here
    is_active INTEGER NOT NULL DEFAULT 1,
    is_billable INTEGER NOT NULL DEFAULT 1,
    is_fixed_fee INTEGER NOT NULL DEFAULT 0,
    bill_by TEXT NOT NULL DEFAULT 'Tasks',   -- Project, Tasks, People, none
    hourly_rate REAL,
    budget REAL,
    budget_by TEXT NOT NULL DEFAULT 'project',
    budget_is_monthly INTEGER NOT NULL DEFAULT 0,
    notify_when_over_budget INTEGER NOT NULL DEFAULT 0,
    over_budget_notification_percentage REAL NOT NULL DEFAULT 80,
    show_budget_to_all INTEGER NOT NULL DEFAULT 0,
    cost_budget REAL,
    cost_budget_include_expenses INTEGER NOT NULL DEFAULT 0,
    fee REAL,
    notes TEXT,
    starts_on TEXT,
    ends_on TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    billable_by_default INTEGER NOT NULL DEFAULT 1,
    default_hourly_rate REAL,
    is_default INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    telephone TEXT,
    timezone TEXT NOT NULL DEFAULT 'Etc/UTC',
    has_access_to_all_future_projects INTEGER NOT NULL DEFAULT 0,
    is_contractor INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    weekly_capacity INTEGER NOT NULL DEFAULT 144000,   -- seconds
    default_hourly_rate REAL,
    cost_rate REAL,
    roles TEXT NOT NULL DEFAULT '[]',    -- JSON array of role names
    access_roles TEXT NOT NULL DEFAULT '["member"]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS task_assignments (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    task_id INTEGER NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    billable INTEGER NOT NULL DEFAULT 1,
    hourly_rate REAL,                    -- per-project rate for this task (role)
    budget REAL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user_assignments (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    is_project_manager INTEGER NOT NULL DEFAULT 0,
    use_default_rates INTEGER NOT NULL DEFAULT 0,
    hourly_rate REAL,
    budget REAL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS time_entries (
    id INTEGER PRIMARY KEY,
    spent_date TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    client_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    task_id INTEGER NOT NULL,
    user_assignment_id INTEGER,
    task_assignment_id INTEGER,
    hours REAL NOT NULL,
    rounded_hours REAL NOT NULL,
    notes TEXT,
    is_locked INTEGER NOT NULL DEFAULT 0,
    locked_reason TEXT,
    approval_status TEXT NOT NULL DEFAULT 'unsubmitted',  -- unsubmitted, submitted, approved
    is_closed INTEGER NOT NULL DEFAULT 0,
    is_billed INTEGER NOT NULL DEFAULT 0,
    is_running INTEGER NOT NULL DEFAULT 0,
    billable INTEGER NOT NULL DEFAULT 1,
    budgeted INTEGER NOT NULL DEFAULT 1,
    billable_rate REAL,
    cost_rate REAL,
    external_reference TEXT,             -- JSON object or NULL
    invoice_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS expenses (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    expense_category TEXT NOT NULL,      -- served as {"id","name"} from expense_categories
    spent_date TEXT NOT NULL,
    notes TEXT,
    units REAL,
    total_cost REAL NOT NULL,
    billable INTEGER NOT NULL DEFAULT 1,
    is_closed INTEGER NOT NULL DEFAULT 0,
    is_locked INTEGER NOT NULL DEFAULT 0,
    locked_reason TEXT,
    is_billed INTEGER NOT NULL DEFAULT 0,
    approval_status TEXT NOT NULL DEFAULT 'unsubmitted',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS expense_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    unit_name TEXT,
    unit_price REAL,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clients_updated ON clients(updated_at);
CREATE INDEX IF NOT EXISTS projects_updated ON projects(updated_at);
CREATE INDEX IF NOT EXISTS time_entries_updated ON time_entries(updated_at);
CREATE INDEX IF NOT EXISTS time_entries_project ON time_entries(project_id);
CREATE INDEX IF NOT EXISTS expenses_updated ON expenses(updated_at);
CREATE INDEX IF NOT EXISTS expenses_project ON expenses(project_id);
"""

NETSUITE = """
-- Table and column names are SuiteQL's (lowercase). ids are INTEGER here and served as
-- strings, as SuiteQL does. References to other records hold the other record's id.
CREATE TABLE IF NOT EXISTS subsidiary (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    legalname TEXT,
    country TEXT NOT NULL,               -- ISO 3166 alpha-2, e.g. US, GB, DE
    currency INTEGER NOT NULL,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT UNIQUE,
    lastmodifieddate INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS currency (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    symbol TEXT NOT NULL UNIQUE,         -- ISO 4217 code
    isbasecurrency TEXT NOT NULL DEFAULT 'F',
    exchangerate REAL NOT NULL DEFAULT 1,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT UNIQUE,
    lastmodifieddate INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS term (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,                  -- e.g. 'Net 30'
    daysuntilnetdue INTEGER NOT NULL,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT UNIQUE,
    lastmodifieddate INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS customer (
    id INTEGER PRIMARY KEY,
    entityid TEXT NOT NULL,              -- e.g. 'CUST-00042'
    companyname TEXT NOT NULL,
    externalid TEXT UNIQUE,
    parent INTEGER,
    subsidiary INTEGER NOT NULL,
    currency INTEGER NOT NULL,
    terms INTEGER,
    email TEXT,
    url TEXT,
    vatregnumber TEXT,
    defaultbillingaddress INTEGER,       -- entityaddress.nkey of the default billing address book line
    defaultshippingaddress INTEGER,      -- entityaddress.nkey of the default shipping address book line
    isinactive TEXT NOT NULL DEFAULT 'F',
    custentity_sf_account_id TEXT,
    custentity_concord_golden_id TEXT,
    datecreated INTEGER NOT NULL,
    lastmodifieddate INTEGER NOT NULL
);
-- A customer's addresses: its address book lines, each holding one address subrecord (entityaddress).
CREATE TABLE IF NOT EXISTS customeraddressbook (
    id INTEGER PRIMARY KEY,              -- the line's internal id (the key of the REST addressBook line)
    entity INTEGER NOT NULL,             -- the customer
    addressbookaddress INTEGER NOT NULL UNIQUE,  -- entityaddress.nkey
    defaultbilling TEXT NOT NULL DEFAULT 'F',
    defaultshipping TEXT NOT NULL DEFAULT 'F',
    isresidential TEXT NOT NULL DEFAULT 'F',
    label TEXT
);
CREATE TABLE IF NOT EXISTS entityaddress (
    nkey INTEGER PRIMARY KEY,
    recordowner INTEGER,                 -- the entity whose address book holds it
    addressee TEXT,
    attention TEXT,
    addr1 TEXT,
    addr2 TEXT,
    addr3 TEXT,
    city TEXT,
    state TEXT,
    zip TEXT,
    country TEXT,                        -- ISO 3166 alpha-2
    addrtext TEXT,                       -- the address as printed, one line per part
    lastmodifieddate INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS job (
    id INTEGER PRIMARY KEY,
    entityid TEXT NOT NULL,
    companyname TEXT NOT NULL,
    externalid TEXT UNIQUE,
    parent INTEGER NOT NULL,             -- the customer
    subsidiary INTEGER NOT NULL,
    currency INTEGER,
    entitystatus TEXT NOT NULL DEFAULT 'In Progress',  -- Not Started, In Progress, Closed
    startdate TEXT,
    projectedenddate TEXT,
    custentity_harvest_project_id TEXT,
    custentity_sf_opportunity_id TEXT,
    isinactive TEXT NOT NULL DEFAULT 'F',
    datecreated INTEGER NOT NULL,
    lastmodifieddate INTEGER NOT NULL
);
-- Service items double as billing codes (one per role / expense type).
CREATE TABLE IF NOT EXISTS item (
    id INTEGER PRIMARY KEY,
    itemid TEXT NOT NULL UNIQUE,         -- billing code, e.g. 'SVC-SENIOR-CONSULTANT'
    displayname TEXT,
    itemtype TEXT NOT NULL DEFAULT 'Service',
    externalid TEXT UNIQUE,
    isinactive TEXT NOT NULL DEFAULT 'F',
    lastmodifieddate INTEGER NOT NULL
);
-- Billable charges (charge-based billing): one per posted PSA time entry or expense.
CREATE TABLE IF NOT EXISTS charge (
    id INTEGER PRIMARY KEY,
    externalid TEXT UNIQUE,              -- Concord: 'harvest-te-<id>-v<version>' etc.
    billto INTEGER NOT NULL,             -- customer
    project INTEGER,                     -- job
    subsidiary INTEGER NOT NULL,
    currency INTEGER NOT NULL,
    billingitem INTEGER NOT NULL,        -- item
    chargetype TEXT NOT NULL DEFAULT 'Time',  -- Time, Expense, Fixed Fee
    chargedate TEXT NOT NULL,
    quantity REAL NOT NULL,
    rate REAL NOT NULL,
    amount REAL NOT NULL,
    description TEXT,
    stage TEXT NOT NULL DEFAULT 'Ready For Billing',  -- Ready For Billing, Non-Billable, Processed
    invoice INTEGER,                     -- transaction once invoiced
    datecreated INTEGER NOT NULL,
    lastmodifieddate INTEGER NOT NULL
);
-- Invoices (type 'CustInvc') and customer payments (type 'CustPymt').
CREATE TABLE IF NOT EXISTS "transaction" (
    id INTEGER PRIMARY KEY,
    tranid TEXT NOT NULL,                -- document number, e.g. 'INV-UK-000123'
    type TEXT NOT NULL,
    entity INTEGER NOT NULL,             -- customer
    job INTEGER,
    subsidiary INTEGER NOT NULL,
    currency INTEGER NOT NULL,
    trandate TEXT NOT NULL,
    duedate TEXT,
    status TEXT NOT NULL,                -- invoices: Open, Paid In Full; payments: Deposited
    foreigntotal REAL NOT NULL,
    foreignamountremaining REAL NOT NULL DEFAULT 0,
    externalid TEXT UNIQUE,
    memo TEXT,
    createddate INTEGER NOT NULL,
    lastmodifieddate INTEGER NOT NULL
);
-- As in NetSuite, a line's `id` is its number within its transaction (1, 2, 3... again on
-- every transaction); `uniquekey` is unique across all lines. A line has no
-- `lastmodifieddate`: its change stamp is `linelastmodifieddate`.
CREATE TABLE IF NOT EXISTS transactionline (
    uniquekey INTEGER PRIMARY KEY,
    id INTEGER NOT NULL,
    "transaction" INTEGER NOT NULL,
    linesequencenumber INTEGER NOT NULL,
    item INTEGER,
    charge INTEGER,                      -- the billable charge this line bills
    quantity REAL,
    rate REAL,
    foreignamount REAL NOT NULL,
    appliedtotransaction INTEGER,        -- payments: the invoice paid
    memo TEXT,
    linelastmodifieddate INTEGER NOT NULL,
    UNIQUE ("transaction", id)
);
CREATE INDEX IF NOT EXISTS customer_modified ON customer(lastmodifieddate);
CREATE INDEX IF NOT EXISTS customeraddressbook_entity ON customeraddressbook(entity);
CREATE INDEX IF NOT EXISTS entityaddress_modified ON entityaddress(lastmodifieddate);
CREATE INDEX IF NOT EXISTS charge_modified ON charge(lastmodifieddate);
CREATE INDEX IF NOT EXISTS transaction_modified ON "transaction"(lastmodifieddate);
CREATE INDEX IF NOT EXISTS transactionline_modified ON transactionline(linelastmodifieddate);
"""

SIMULATION = """
-- Simulator state and ground truth. Never served by a vendor API.
CREATE TABLE IF NOT EXISTS sim_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Which real-world entity every record in every system belongs to.
CREATE TABLE IF NOT EXISTS entity_map (
    system TEXT NOT NULL,                -- salesforce, harvest, netsuite
    object TEXT NOT NULL,                -- table name in that system's database
    record_id TEXT NOT NULL,             -- Id / id as the vendor serves it (NetSuite lines: uniquekey)
    entity_type TEXT NOT NULL,           -- client, legal_entity, opportunity, contract, project, consultant, ...
    entity_id TEXT NOT NULL,             -- the simulator's id for the real-world thing
    PRIMARY KEY (system, object, record_id)
);
CREATE INDEX IF NOT EXISTS entity_map_entity ON entity_map(entity_type, entity_id);
-- Every drift the simulator injected, with its type and the records it touches.
CREATE TABLE IF NOT EXISTS drift (
    drift_id INTEGER PRIMARY KEY,
    drift_type TEXT NOT NULL,
    system TEXT NOT NULL,
    object TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entity_id TEXT,
    detail TEXT NOT NULL DEFAULT '{}'    -- JSON
);
CREATE INDEX IF NOT EXISTS drift_type ON drift(drift_type);
"""

SYSTEMS = {
    "salesforce": SALESFORCE,
    "harvest": HARVEST,
    "netsuite": NETSUITE,
    "simulation": SIMULATION,
}
