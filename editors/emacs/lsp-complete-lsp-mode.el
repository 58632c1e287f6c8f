;;; lsp-complete-lsp-mode.el --- lsp-complete with lsp-mode  -*- lexical-binding: t; -*-

;; What works with lsp-mode: it runs lsp-complete NEXT TO your usual server (:add-on? t), so its
;; items join the completion menu (company-capf / corfu); code actions with `lsp-execute-code-action'
;; (s-l a a); and ghost text with lsp-mode's inline completion (lsp-inline-completion.el, lsp-mode
;; 9.0.1+): `lsp-inline-completion-display' shows it, RET accepts, C-n / C-p cycle, C-g hides.
;; Not shown: the status notification. Checked by `check.sh lsp-mode' in Debian's Emacs 28.2 with
;; lsp-mode 8.0.0 (batch): the client starts next to nothing else, completion-at-point offers the
;; suggestion, and the "Add docstring" code action applies its edit. Inline completion needs lsp-mode
;; 9.0.1+ and was not checked.

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection '("lsp-complete"))
    :activation-fn (lsp-activate-on "python" "javascript" "typescript" "go" "rust")
    :server-id 'lsp-complete
    :add-on? t                       ; alongside pyright/pylsp/..., not instead of them
    :priority -1
    :initialization-options (lambda () '(:completion (:debounce_ms 75 :max_lines 6))))))

(add-hook 'python-mode-hook #'lsp-deferred)

;; Ghost text on demand (lsp-mode with lsp-inline-completion.el):
(with-eval-after-load 'lsp-mode
  (require 'lsp-inline-completion nil t)
  (when (fboundp 'lsp-inline-completion-display)
    (define-key lsp-mode-map (kbd "C-c C-SPC") #'lsp-inline-completion-display)))
;; If your lsp-mode has `lsp-inline-completion-mode', it asks automatically while you type:
;; (add-hook 'lsp-mode-hook #'lsp-inline-completion-mode)

;;; lsp-complete-lsp-mode.el ends here
