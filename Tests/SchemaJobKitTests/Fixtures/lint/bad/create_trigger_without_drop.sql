CREATE TRIGGER trg_disks_touch BEFORE UPDATE ON disks FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: create-trigger

-- The drop names another table.
DROP TRIGGER IF EXISTS trg_gpu_touch ON reservations;
CREATE TRIGGER trg_gpu_touch BEFORE UPDATE ON gpu_types FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: create-trigger

-- The drop comes after the create.
CREATE TRIGGER trg_late BEFORE UPDATE ON disks FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: create-trigger
DROP TRIGGER IF EXISTS trg_late ON disks;

-- The drop names another trigger.
DROP TRIGGER IF EXISTS trg_other ON disks;
CREATE TRIGGER trg_mine AFTER INSERT ON disks FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: create-trigger

-- A drop in a comment does not count: DROP TRIGGER IF EXISTS trg_commented ON disks;
CREATE TRIGGER trg_commented AFTER INSERT ON disks FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: create-trigger

-- Idempotent: dropped first, on the same table; only the lock advice remains.
DROP TRIGGER IF EXISTS "trg_Quoted" ON public.disks;
CREATE TRIGGER "trg_Quoted" AFTER INSERT ON disks FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: replace-trigger
