#!/bin/bash
# Slurm: grade a class as a job array of 8 tasks, one shard each, then join the shards.
#
# Where it goes: anywhere on the cluster. Submit it from the course's checkout (with solutions/,
# and the class in submissions/: one file or folder per student), with the virtual environment
# where the checkout is installed (`pip install -e .`) active: sbatch passes the environment,
# PATH included, to every task. The compute nodes must see the checkout, the class and the
# output folder (a shared file system), and need bubblewrap for the grader's sandbox: without
# it each task warns and grades without namespaces (report.json records "sandbox": "none").
# Every task must be graded the same way, since `grader merge` refuses shards graded with
# different settings; add `--sandbox bwrap` below to make a task without bubblewrap stop (exit 4).
#
# Submit the array, then the merge, which starts once every task has succeeded:
#
#   mkdir -p logs
#   export GRADER_SEED=$RANDOM$RANDOM   # one seed for every task; keep it to replay the run
#   array=$(sbatch --parsable examples/ci/slurm-array.sh)
#   sbatch --dependency=afterok:"$array" --job-name=grade-merge --output=logs/%x-%j.out \
#     --wrap "grader merge grader-results/shard-* --out grader-results/all"
#
# grader-results/all then holds report.json, the grade sheets, junit.xml, report.html and
# feedback/ of the whole class; `grader manual` enters scores there (manual.csv, which later
# merges into the same folder keep).
#
# Each task reads its shard from Slurm: SLURM_ARRAY_TASK_ID, counted from the array's first
# index (--array=0-7 and --array=1-8 both make the shards 1/8 to 8/8), and
# SLURM_ARRAY_TASK_COUNT. If a task fails, submit the whole array again with the same
# GRADER_SEED: a task whose shard is complete reuses every result it stored, and one that was
# cut off grades only what is left. (Do not resubmit one index alone, e.g. --array=3: that array
# has one task, which would grade the whole class into shard-3.)

#SBATCH --job-name=grade-class
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=logs/%x-%A_%a.out

set -euo pipefail

submissions="${SUBMISSIONS:-submissions}"
results="${RESULTS:-grader-results}"
: "${GRADER_SEED:?export GRADER_SEED, one whole number for every task, before sbatch}"

# One worker per CPU Slurm gave the task; each submission may allocate up to --memory
# (1024 MB by default), which --mem above leaves room for.
exec grader check "$submissions" --seed "$GRADER_SEED" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
  --out "$results/shard-$SLURM_ARRAY_TASK_ID" --no-progress
