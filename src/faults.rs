//! The fault registry: armed rules, in memory (a test suite arms them for the
//! run it is doing; a restart forgets them). Requests ask it at the edge of
//! each dialect (`api::faults`), the runner before every step. Every fault
//! that fires is logged and counted in `/metrics`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use uuid::Uuid;

use crate::core::fault::{FaultAction, FaultRule, Site};

/// An armed rule and how often it fired.
#[derive(Debug, Clone, Serialize)]
pub struct Armed {
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Times left before it is spent (None: until deleted).
    pub remaining: Option<u32>,
    pub fired: u64,
}

/// A fault that fired.
#[derive(Debug, Clone)]
pub struct Fired {
    pub rule: Uuid,
    pub action: FaultAction,
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<Armed>>,
    /// How many rules are armed, read without the lock by every request.
    armed: AtomicUsize,
    /// Nodes a fault froze, with the pid that was stopped (to continue it).
    frozen: Mutex<std::collections::HashMap<Uuid, i32>>,
}

impl Faults {
    pub fn add(&self, rule: FaultRule) -> Armed {
        let armed = Armed { remaining: rule.count, rule, fired: 0 };
        tracing::warn!(fault.id = %armed.rule.id, product = armed.rule.product.as_str(), operation = ?armed.rule.operation, fault = armed.rule.fault.kind(), "fault rule armed");
        let mut rules = self.lock();
        rules.push(armed.clone());
        self.armed.store(rules.len(), Ordering::Release);
        armed
    }

    pub fn is_empty(&self) -> bool {
        self.armed.load(Ordering::Acquire) == 0
    }

    pub fn list(&self) -> Vec<Armed> {
        self.lock().clone()
    }

    /// Removes one rule; false if there was none.
    pub fn remove(&self, id: Uuid) -> bool {
        let mut rules = self.lock();
        let before = rules.len();
        rules.retain(|a| a.rule.id != id);
        self.armed.store(rules.len(), Ordering::Release);
        rules.len() != before
    }

    /// Removes every rule, returning how many there were.
    pub fn clear(&self) -> usize {
        let mut rules = self.lock();
        self.armed.store(0, Ordering::Release);
        std::mem::take(&mut *rules).len()
    }

    /// The first armed rule that matches `site` and wins its roll fires
    /// (its count goes down; a spent rule is removed).
    pub fn fire(&self, site: &Site) -> Option<Fired> {
        let mut rules = self.lock();
        if rules.is_empty() {
            return None;
        }
        let i = rules.iter().position(|a| a.rule.matches(site) && roll(a.rule.probability))?;
        let armed = &mut rules[i];
        armed.fired += 1;
        let fired = Fired { rule: armed.rule.id, action: armed.rule.fault.clone() };
        if let Some(left) = armed.remaining.as_mut() {
            *left -= 1;
            if *left == 0 {
                rules.remove(i);
                self.armed.store(rules.len(), Ordering::Release);
            }
        }
        drop(rules);
        tracing::warn!(fault.id = %fired.rule, product = site.product.as_str(), operation = site.operation, step = ?site.step, fault = fired.action.kind(), "injecting a fault");
        crate::metrics::metrics().observe_fault(site.product.as_str(), site.operation, fired.action.kind());
        Some(fired)
    }

    pub fn frozen(&self, node: Uuid, pid: i32) {
        self.frozen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(node, pid);
    }

    /// The pid frozen on `node`, forgotten now.
    pub fn thawed(&self, node: Uuid) -> Option<i32> {
        self.frozen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&node)
    }

    pub fn frozen_nodes(&self) -> Vec<Uuid> {
        self.frozen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).keys().copied().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.rules.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn roll(probability: f64) -> bool {
    probability >= 1.0 || rand::random::<f64>() < probability
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cluster::Product;
    use crate::core::fault::FaultSpec;

    fn rule(json: serde_json::Value) -> FaultRule {
        serde_json::from_value::<FaultSpec>(json).unwrap().validate().unwrap()
    }

    const SITE: Site<'static> = Site { product: Product::Dws, operation: "RestartCluster", project_id: None, cluster: None, step: None };

    #[test]
    fn a_counted_rule_fires_its_count_then_is_gone() {
        let f = Faults::default();
        f.add(rule(serde_json::json!({"product": "dws", "operation": "RestartCluster", "count": 2,
            "fault": {"type": "api_error", "status": 503, "code": "DWS.0001"}})));
        assert!(f.fire(&Site { operation: "ListClusters", ..SITE }).is_none());
        assert!(f.fire(&SITE).is_some());
        assert_eq!(f.list()[0].remaining, Some(1));
        assert!(f.fire(&SITE).is_some());
        assert!(f.fire(&SITE).is_none() && f.list().is_empty());
    }

    #[test]
    fn a_rule_with_a_probability_fires_about_that_often() {
        let f = Faults::default();
        f.add(rule(serde_json::json!({"product": "dws", "probability": 0.25, "fault": {"type": "latency", "ms": 1}})));
        let fired = (0..4000).filter(|_| f.fire(&SITE).is_some()).count();
        assert!((800..1200).contains(&fired), "{fired} of 4000");
        assert_eq!(f.list()[0].fired, fired as u64);
        assert_eq!(f.clear(), 1);
    }
}
