// t/client/contacts.mjs — drives /api with kitsu, a JSON:API client from npm, exactly as
// its README shows (default configuration; only baseURL is set): list with filter,
// include and page size; create, read, update, delete a contact; a 404 afterwards.
// Run by t/integration/085-jsonapi-client.t. Prints one JSON line per step,
// {"step", "ok", "detail"}, and exits non-zero when any step fails.
//
// Authentication as kitsu's README shows: the constructor's headers option carries
// Authorization, and a request interceptor (api.interceptors) adds a fresh Oro WSSE
// X-WSSE header to each request (a WSSE nonce is accepted once).
//
// Environment: API_USER, API_KEY (WSSE credentials),
// API_BASE (e.g. http://127.0.0.1:18081/api), OWNER_ID, ORG_ID (the owner
// and organization of the created contact), LAST_NAME (the lastName to filter on: more
// than 5 contacts have it, and one of the first 5 by id has an account).
import Kitsu from 'kitsu'
import { createHash, randomBytes } from 'node:crypto'

const { API_BASE, OWNER_ID, ORG_ID, LAST_NAME, API_USER, API_KEY } = process.env
let failed = false

function report (step, ok, detail) {
  if (!ok) failed = true
  console.log(JSON.stringify({ step, ok: !!ok, detail }))
}

// Runs one step: fn returns [ok, detail]; a thrown error is a failure with what the
// server answered.
async function step (name, fn) {
  try {
    const [ok, detail] = await fn()
    report(name, ok, detail)
    return ok
  } catch (err) {
    report(name, false, {
      error: err.message,
      status: err.response?.status,
      errors: err.errors,
      body: err.response?.data
    })
    return false
  }
}

if (!API_BASE || !OWNER_ID || !ORG_ID || !LAST_NAME || !API_USER || !API_KEY) {
  report('env', false, 'API_BASE, OWNER_ID, ORG_ID, LAST_NAME, API_USER and API_KEY must be set')
  process.exit(1)
}

// Oro's WSSE: digest = base64(sha1(base64_decode(nonce) . created . apiKey)).
function wsse () {
  const nonce = randomBytes(16)
  const created = new Date().toISOString()
  const digest = createHash('sha1').update(nonce).update(created).update(API_KEY).digest('base64')
  return `UsernameToken Username="${API_USER}", PasswordDigest="${digest}", ` +
    `Nonce="${nonce.toString('base64')}", Created="${created}"`
}

const api = new Kitsu({
  baseURL: API_BASE,
  headers: { Authorization: 'WSSE profile="UsernameToken"' }
})
api.interceptors.request.use(config => {
  config.headers['X-WSSE'] = wsse()
  return config
})

// 1. list: filter on lastName, include=account, sort by id, page size 5.
await step('list', async () => {
  const res = await api.get('contacts', {
    params: {
      filter: { lastName: LAST_NAME },
      include: 'account',
      sort: 'id',
      page: { size: 5 }
    }
  })
  const records = res.data
  const problems = []
  if (res.status !== 200) problems.push(`status ${res.status}`)
  if (!Array.isArray(records) || records.length === 0 || records.length > 5) {
    problems.push(`expected 1 to 5 records, got ${Array.isArray(records) ? records.length : typeof records}`)
  } else {
    for (const r of records) {
      if (r.type !== 'contacts' || typeof r.id !== 'string') problems.push(`record ${r.id}: type ${r.type}`)
      if (r.lastName !== LAST_NAME) problems.push(`record ${r.id}: lastName ${r.lastName}`)
      if ('attributes' in r || 'relationships' in r) problems.push(`record ${r.id} not deserialised`)
    }
    const withAccount = records.filter(r => r.account?.data)
    if (withAccount.length === 0) problems.push('no record with an account')
    for (const r of withAccount) {
      const a = r.account.data
      if (a.type !== 'accounts' || typeof a.name !== 'string') {
        problems.push(`record ${r.id}: account not embedded: ${JSON.stringify(a)}`)
      }
    }
  }
  if (!res.links?.self || !res.links?.next) problems.push(`links: ${JSON.stringify(res.links)}`)
  return [problems.length === 0, problems.length ? problems : {
    ids: records.map(r => r.id),
    accounts: records.map(r => r.account?.data?.name ?? null)
  }]
})

// 2. create, with owner and organization relationships.
const tag = `${process.pid}${Date.now()}`
const created = {
  firstName: 'Kitsu',
  lastName: `Client${tag}`,
  primaryEmail: `kitsu.${tag}@example.com`
}
let id = null
await step('create', async () => {
  const res = await api.create('contacts', {
    ...created,
    owner: { data: { id: String(OWNER_ID), type: 'users' } },
    organization: { data: { id: String(ORG_ID), type: 'organizations' } }
  })
  id = res.data?.id ?? null
  const ok = res.status === 201 && typeof id === 'string' && /^\d+$/.test(id) &&
    res.data.lastName === created.lastName && res.data.primaryEmail === created.primaryEmail
  return [ok, { status: res.status, id, lastName: res.data?.lastName }]
})

if (id === null) {
  for (const s of ['read', 'update', 'delete', 'gone']) report(s, false, 'no contact was created')
  process.exit(1)
}

// 3. read it back.
await step('read', async () => {
  const res = await api.get(`contacts/${id}`)
  const r = res.data
  const ok = res.status === 200 && r?.id === id && r.type === 'contacts' &&
    r.firstName === created.firstName && r.lastName === created.lastName &&
    r.primaryEmail === created.primaryEmail &&
    r.owner?.data?.id === String(OWNER_ID) && r.owner?.data?.type === 'users' &&
    r.organization?.data?.id === String(ORG_ID) && r.organization?.data?.type === 'organizations'
  return [ok, { status: res.status, id: r?.id, owner: r?.owner?.data, organization: r?.organization?.data }]
})

// 4. update its jobTitle, then read the change back.
await step('update', async () => {
  const res = await api.update('contacts', { id, jobTitle: 'API client tester' })
  const again = await api.get(`contacts/${id}`)
  const ok = res.status === 200 && res.data?.id === id && res.data.jobTitle === 'API client tester' &&
    res.data.lastName === created.lastName && again.data?.jobTitle === 'API client tester'
  return [ok, { status: res.status, jobTitle: res.data?.jobTitle, readBack: again.data?.jobTitle }]
})

// 5. delete it.
await step('delete', async () => {
  const res = await api.remove('contacts', id)
  return [res.status === 204, { status: res.status }]
})

// 6. it is gone: the read is an error with 404 and JSON:API error objects.
await step('gone', async () => {
  try {
    const res = await api.get(`contacts/${id}`)
    return [false, { status: res.status, unexpected: 'the contact still reads' }]
  } catch (err) {
    const status = err.response?.status
    const ok = status === 404 && Array.isArray(err.errors) && err.errors.length > 0
    return [ok, { status, errors: err.errors }]
  }
})

process.exit(failed ? 1 : 0)
