-- 0040: the ACL (lib/acl, docs/security.md "Access control").
-- oro_acl_grant: what a role may do: per entity (a JSON:API type, or '*' for every entity,
-- Oro's root entry) and permission, an access level. Keyed by the role's name
-- (oro_access_role.role), as Oro keys its ACL by security identity, so that grants can be
-- seeded before the entity tables exist.
-- oro_acl_version: one row whose version is bumped in the transaction of every change of
-- roles, grants, users' roles or business units; httpd processes compare it with the
-- version of their cached ACL data.
CREATE TABLE oro_acl_grant (
    role         varchar(255) NOT NULL,
    entity       varchar(255) NOT NULL,
    permission   varchar(16)  NOT NULL
                 CHECK (permission IN ('VIEW', 'CREATE', 'EDIT', 'DELETE', 'ASSIGN')),
    access_level varchar(16)  NOT NULL
                 CHECK (access_level IN ('NONE', 'USER', 'BUSINESS_UNIT', 'DIVISION',
                                         'ORGANIZATION', 'GLOBAL')),
    PRIMARY KEY (role, entity, permission)
);
CREATE TABLE oro_acl_version (
    id      integer NOT NULL PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL
);
INSERT INTO oro_acl_version (id, version) VALUES (1, 1);
-- the seeded roles (created by demo:load or by hand): administrator global on everything,
-- manager its division, user its own records and the records of its business unit to view
INSERT INTO oro_acl_grant (role, entity, permission, access_level) VALUES
    ('ROLE_ADMINISTRATOR', '*', 'VIEW', 'GLOBAL'),
    ('ROLE_ADMINISTRATOR', '*', 'CREATE', 'GLOBAL'),
    ('ROLE_ADMINISTRATOR', '*', 'EDIT', 'GLOBAL'),
    ('ROLE_ADMINISTRATOR', '*', 'DELETE', 'GLOBAL'),
    ('ROLE_ADMINISTRATOR', '*', 'ASSIGN', 'GLOBAL'),
    ('ROLE_MANAGER', '*', 'VIEW', 'DIVISION'),
    ('ROLE_MANAGER', '*', 'CREATE', 'DIVISION'),
    ('ROLE_MANAGER', '*', 'EDIT', 'DIVISION'),
    ('ROLE_MANAGER', '*', 'DELETE', 'DIVISION'),
    ('ROLE_MANAGER', '*', 'ASSIGN', 'DIVISION'),
    ('ROLE_USER', '*', 'VIEW', 'BUSINESS_UNIT'),
    ('ROLE_USER', '*', 'CREATE', 'USER'),
    ('ROLE_USER', '*', 'EDIT', 'USER'),
    ('ROLE_USER', '*', 'DELETE', 'USER'),
    ('ROLE_USER', '*', 'ASSIGN', 'USER');
