-- Argo CD health check for ManagedSecret and KmsKey (managedsecrets.dev). Install it for both kinds
-- (see docs/GITOPS.md). It reads the kstatus conditions the operator writes:
--   Ready=True                         -> Healthy
--   Stalled=True                       -> Degraded (waits for a change of the spec or the cluster)
--   Reconciling=True, or no status yet,
--   or status.observedGeneration behind -> Progressing
--   Ready=False otherwise              -> Degraded
-- and, for a KmsKey, status.keyState: Disabled -> Suspended, PendingDeletion -> Degraded.
-- Written for Argo CD's Lua 5.1 (gopher-lua): no goto, no integer division.

local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function says(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    if c.reason ~= nil and c.reason ~= "" then
      return c.reason .. ": " .. c.message
    end
    return c.message
  end
  return fallback
end

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Being deleted"
  return hs
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end

local generation = obj.metadata and obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = says(stalled, "Stalled")
  return hs
end

local reconciling = condition("Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = says(reconciling, "Reconciling")
  return hs
end

if obj.kind == "KmsKey" then
  if obj.status.keyState == "Disabled" then
    hs.status = "Suspended"
    hs.message = "The key is disabled: it neither encrypts nor decrypts"
    return hs
  end
  if obj.status.keyState == "PendingDeletion" then
    hs.status = "Degraded"
    local when = obj.status.deletionDate or "the end of its waiting period"
    hs.message = "The key is scheduled for deletion on " .. when ..
      ": versions encrypted under it become unreadable"
    return hs
  end
end

local ready = condition("Ready")
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = says(ready, "Ready")
  return hs
end
hs.status = "Degraded"
hs.message = says(ready, "Not ready")
return hs
