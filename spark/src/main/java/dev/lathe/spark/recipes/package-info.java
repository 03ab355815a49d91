/**
 * Candidate recipes scored on executors: each candidate (a list of pass specs) is applied to the model and
 * judged against it on one executor, one row per candidate.
 */
package dev.lathe.spark.recipes;
