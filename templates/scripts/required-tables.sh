# Sourced by migrate.sh and wait-for-schema.sh, which set $here (their own directory).
# Sets `tables`, the psql arguments that carry REQUIRED_TABLES: the tables
# (comma-separated) as :tables, or, for `@KEY` (a list too long for an environment
# string, kept as the file KEY beside the scripts), that file's path as :tables_file,
# which required-tables.psql reads. A file that is missing or empty would read as no
# tables at all, and the gate would open on none: it is said, and this returns 1.
required_tables_arguments() {
    case ${REQUIRED_TABLES:-} in
        @*)
            local file="$here/${REQUIRED_TABLES#@}"
            if [ ! -s "$file" ]; then
                echo "schemajob: REQUIRED_TABLES is $REQUIRED_TABLES, but $file is missing or empty: the scripts ConfigMap (db-scripts-<hash>) must hold ${REQUIRED_TABLES#@} beside the scripts; render with this schemajob's templates and apply every object it writes" >&2
                return 1
            fi
            tables=(-v tables_file="$file")
            ;;
        *) tables=(-v tables="${REQUIRED_TABLES:-}") ;;
    esac
}
